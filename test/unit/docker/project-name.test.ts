/**
 * The Compose project name must be the one the Dev Containers CLI computes (its getProjectName), or
 * `llmdev up` and "Reopen in Container" would start two separate stacks.
 */
import { normalizeProjectName, resolveProjectName } from '../../../src/docker/project-name.js';

const base = {
  env: {},
  rootDotenv: undefined,
  composeDotenv: 'COMPOSE_PROJECT_NAME=demo-1234\nLLMDEV_UID=1000\n',
  composeName: 'demo',
  projectDir: '/home/me/Demo App',
};

describe('resolveProjectName', () => {
  it('takes COMPOSE_PROJECT_NAME from .devcontainer/.env (written by initialize.sh)', () => {
    expect(resolveProjectName(base)).toBe('demo-1234');
  });

  it('lets the environment win, then the workspace folder .env, as the Dev Containers CLI does', () => {
    expect(resolveProjectName({ ...base, env: { COMPOSE_PROJECT_NAME: 'FromEnv' } })).toBe('fromenv');
    expect(resolveProjectName({ ...base, rootDotenv: 'X=1\nCOMPOSE_PROJECT_NAME=root_one \n' })).toBe(
      'root_one',
    );
  });

  it('ignores an empty setting and falls through', () => {
    expect(resolveProjectName({ ...base, env: { COMPOSE_PROJECT_NAME: '' }, rootDotenv: 'OTHER=1' })).toBe(
      'demo-1234',
    );
  });

  it("uses compose.yaml's name when .devcontainer/.env is absent", () => {
    expect(resolveProjectName({ ...base, composeDotenv: undefined })).toBe('demo');
  });

  it("falls back to <folder>_devcontainer for Compose's default name", () => {
    expect(resolveProjectName({ ...base, composeDotenv: undefined, composeName: undefined })).toBe(
      'demoapp_devcontainer',
    );
    expect(resolveProjectName({ ...base, composeDotenv: undefined, composeName: 'devcontainer' })).toBe(
      'demoapp_devcontainer',
    );
  });
});

describe('normalizeProjectName', () => {
  it('lowercases and keeps only letters, digits, "-" and "_"', () => {
    expect(normalizeProjectName(' My.Project-1_x"')).toBe('myproject-1_x');
  });
});
