/** project.devcontainerDir moves every generated dev container file, and every path in them. */
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../../src/config/load.js';
import { parseHeader } from '../../../src/generate/header.js';
import { generateFiles } from '../../../src/generate/index.js';
import { devcontainerLayout } from '../../../src/generate/layout.js';
import { TEST_CONTEXT } from '../../fixtures/config-variants.js';

const files = generateFiles(
  parseConfig({ text: 'project: {name: app, devcontainerDir: .devcontainer/llmdev}\n' }),
  TEST_CONTEXT,
);
const content = (path: string) => {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`not generated: ${path}`);
  return file.content;
};

describe('devcontainerLayout', () => {
  it('puts the files in the folder and reaches the project root from it', () => {
    expect(devcontainerLayout()).toMatchObject({ compose: '.devcontainer/compose.yaml', projectRoot: '..' });
    expect(devcontainerLayout('.devcontainer/llmdev')).toEqual({
      dir: '.devcontainer/llmdev',
      devcontainerJson: '.devcontainer/llmdev/devcontainer.json',
      compose: '.devcontainer/llmdev/compose.yaml',
      initialize: '.devcontainer/llmdev/initialize.sh',
      composeEnv: '.devcontainer/llmdev/.env',
      caBundle: '.devcontainer/llmdev/.ca-certs.pem',
      projectRoot: '../..',
    });
  });

  it('a subfolder layout: every path in the generated files points back at the project', () => {
    expect(files.map((f) => f.path)).toEqual([
      '.devcontainer/llmdev/devcontainer.json',
      '.devcontainer/llmdev/compose.yaml',
      '.devcontainer/llmdev/initialize.sh',
      '.env.example',
      '.gitignore',
      '.dockerignore',
    ]);
    const compose = parseYaml(content('.devcontainer/llmdev/compose.yaml')) as {
      services: Record<string, { build?: { context: string }; volumes: string[] }>;
      secrets: Record<string, { file: string }>;
    };
    expect(compose.services.workspace?.build?.context).toBe('../../node_modules/llmdev/docker/workspace');
    expect(compose.services.workspace?.volumes[0]).toBe('../..:/workspaces/app:cached');
    expect(compose.services['usage-logger']?.build?.context).toBe('../../node_modules/llmdev');
    expect(compose.services['usage-logger']?.volumes).toContain(
      '../../llmdev.config.yaml:/etc/llmdev/llmdev.config.yaml:ro',
    );
    expect(compose.secrets.llmdev_token).toEqual({ file: '../../.secrets/llmdev_token' });
    expect(compose.secrets.ca_certs).toEqual({ file: './.ca-certs.pem' });

    const devcontainer = JSON.parse(
      parseHeader(content('.devcontainer/llmdev/devcontainer.json'))?.body ?? '',
    );
    expect(devcontainer.initializeCommand).toEqual([
      'sh',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a devcontainer.json variable
      '${localWorkspaceFolder}/.devcontainer/llmdev/initialize.sh',
    ]);
    expect(devcontainer.dockerComposeFile).toEqual(['compose.yaml']);

    const script = content('.devcontainer/llmdev/initialize.sh');
    expect(script).toContain('cd "$(dirname "$0")/../.."\n');
    expect(script).toContain("ca_bundle='.devcontainer/llmdev/.ca-certs.pem'");
    expect(script).toContain("env_file='.devcontainer/llmdev/.env'");
    expect(content('.gitignore')).toContain(
      '\n.devcontainer/llmdev/.env\n.devcontainer/llmdev/.ca-certs.pem\n',
    );
  });
});
