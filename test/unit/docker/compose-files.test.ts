import { composeFilesOf } from '../../../src/docker/up.js';
import { projectContainer } from '../../fixtures/project-container.js';

const project = { dir: '/p', file: '/p/.devcontainer/compose.yaml', name: 'p' };
const OVERRIDE =
  '/tmp/devcontainercli-root/docker-compose/docker-compose.devcontainer.containerFeatures-1.yml';

describe('composeFilesOf', () => {
  it('is the project file alone when there is no container yet', async () => {
    expect(await composeFilesOf(project, undefined, async () => true)).toEqual([project.file]);
  });

  it('adds the overrides the container was created from, the project file first', async () => {
    const container = projectContainer({ configFiles: [project.file, OVERRIDE] });
    expect(await composeFilesOf(project, container, async () => true)).toEqual([project.file, OVERRIDE]);
  });

  it('drops overrides that no longer exist (Compose would fail on them)', async () => {
    const container = projectContainer({ configFiles: [OVERRIDE, project.file] });
    expect(await composeFilesOf(project, container, async (path) => path !== OVERRIDE)).toEqual([
      project.file,
    ]);
  });
});
