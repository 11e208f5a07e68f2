import { parseConfig } from '../../../src/config/load.js';
import type { ProjectContainer } from '../../../src/docker/containers.js';
import { secretFilesByService, servicesWithStaleSecrets } from '../../../src/docker/secret-mounts.js';
import { projectContainer } from '../../fixtures/project-container.js';

const container = (service: string, startedAt: string | undefined, state = 'running'): ProjectContainer =>
  projectContainer({ id: service, name: service, service, state, startedAt });

describe('servicesWithStaleSecrets', () => {
  const started = '2026-01-01T10:00:00.000000000Z';
  const before = Date.parse('2026-01-01T09:59:00Z');
  const after = Date.parse('2026-01-01T10:01:00Z');

  it('names running services whose secret files changed after they started', () => {
    const containers = [container('usage-logger', started), container('workspace', started)];
    expect(servicesWithStaleSecrets(containers, { 'usage-logger': after, workspace: before })).toEqual([
      'usage-logger',
    ]);
  });

  it('ignores stopped containers: they mount the current files when they start', () => {
    expect(
      servicesWithStaleSecrets([container('usage-logger', started, 'exited')], { 'usage-logger': after }),
    ).toEqual([]);
  });
});

describe('secretFilesByService', () => {
  it('mounts provider keys only into the sidecar, the token and CA bundle into both', () => {
    const config = parseConfig({ text: 'project: {name: demo}' });
    const files = secretFilesByService(config);
    expect(files['usage-logger']).toEqual(
      expect.arrayContaining([
        '.secrets/llmdev_token',
        '.secrets/openai_api_key',
        '.secrets/anthropic_api_key',
      ]),
    );
    expect(files.workspace).toEqual(['.secrets/llmdev_token', '.devcontainer/.ca-certs.pem']);
  });
});
