import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors/index.js';

describe('loadConfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'llmdev-load-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the config and the project .env, then the environment', async () => {
    await writeFile(join(dir, 'llmdev.config.yaml'), 'project: {name: demo}\nsidecar: {hostPort: 5000}\n');
    await writeFile(join(dir, '.env'), 'LLMDEV_SIDECAR_HOST_PORT=6000\nLLMDEV_CACHE_ENABLED=true\nOTHER=1\n');
    const loaded = await loadConfig({ dir, env: { LLMDEV_CACHE_ENABLED: 'false' } });
    expect(loaded.dir).toBe(dir);
    expect(loaded.file).toBe(join(dir, 'llmdev.config.yaml'));
    expect(loaded.config.sidecar.hostPort).toBe(6000);
    expect(loaded.config.cache.enabled).toBe(false);
  });

  it('with overrides off, the file alone counts', async () => {
    await writeFile(join(dir, 'llmdev.config.yaml'), 'project: {name: demo}\n');
    await writeFile(join(dir, '.env'), 'LLMDEV_SIDECAR_HOST_PORT=6000\n');
    const loaded = await loadConfig({ dir, env: { LLMDEV_PROJECT_NAME: 'other' }, overrides: false });
    expect(loaded.config.sidecar.hostPort).toBe(4100);
    expect(loaded.config.project.name).toBe('demo');
  });

  it('reads another file when asked, and names it in errors', async () => {
    await writeFile(join(dir, 'custom.yaml'), 'project: {name: Bad}\n');
    await expect(loadConfig({ dir, file: 'custom.yaml', env: {} })).rejects.toThrow(
      /^custom.yaml: project.name: expected lowercase/,
    );
  });

  it('a missing config says how to create one', async () => {
    const error = await loadConfig({ dir, env: {} }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      `${join(dir, 'llmdev.config.yaml')}: cannot read the config file (ENOENT)`,
    );
    expect((error as ConfigError).hint).toMatch(/llmdev init/);
  });

  it('a bad .env entry is reported as such', async () => {
    await writeFile(join(dir, 'llmdev.config.yaml'), 'project: {name: demo}\n');
    await writeFile(join(dir, '.env'), 'LLMDEV_SIDECAR_PORT=http\n');
    await expect(loadConfig({ dir, env: {} })).rejects.toThrow(
      '.env LLMDEV_SIDECAR_PORT: sidecar.port: expected a port number between 1 and 65535, got "http"',
    );
  });
});
