import { parseConfig } from '../../../src/config/load.js';
import { projectNameProblem, starterConfig, suggestProjectName } from '../../../src/config/starter.js';

describe('suggestProjectName', () => {
  it.each([
    ['my-app', undefined, 'my-app'],
    ['My Project!', undefined, 'my-project'],
    ['folder', '@acme/Web.App', 'web-app'],
    ['folder', 'api_server', 'api-server'],
    ['folder', '', 'folder'],
    ['___', undefined, 'app'],
    ['-x-', undefined, 'x'],
    [`${'a'.repeat(62)}-b`, undefined, 'a'.repeat(62)],
  ])('folder %j, package %j: %j', (folder, pkg, expected) => {
    const name = suggestProjectName(folder, pkg);
    expect(name).toBe(expected);
    expect(projectNameProblem(name)).toBeUndefined();
  });
});

describe('projectNameProblem', () => {
  it('explains an invalid name', () => {
    expect(projectNameProblem('My App')).toBe(
      'expected lowercase letters, digits and "-" (it names containers and volumes)',
    );
    expect(projectNameProblem('ok-1')).toBeUndefined();
  });
});

describe('starterConfig', () => {
  it('is a valid config with a daily budget', () => {
    const config = parseConfig({ text: starterConfig({ name: 'demo', postCreateCommand: 'npm ci' }) });
    expect(config.project.name).toBe('demo');
    expect(config.workspace.postCreateCommand).toBe('npm ci');
    expect(config.budgets).toEqual([
      { name: 'daily', scope: 'total', period: 'day', limitUsd: 5, action: 'block', warnAt: 0.8 },
    ]);
  });

  it('leaves postCreateCommand out when there is nothing to install', () => {
    const text = starterConfig({ name: 'demo' });
    expect(text).not.toContain('postCreateCommand');
    expect(parseConfig({ text }).workspace.postCreateCommand).toBeUndefined();
  });

  it('a Python project gets workspace.python (its tools only when there are any); others none', () => {
    const plain = parseConfig({ text: starterConfig({ name: 'demo', python: { tools: [] } }) });
    expect(plain.workspace.python).toEqual({ venvVolume: true, tools: [] });
    const uv = starterConfig({ name: 'demo', python: { tools: ['uv'] } });
    expect(uv).toContain('python:\n    tools:\n      - uv\n');
    expect(parseConfig({ text: uv }).workspace.python?.tools).toEqual(['uv']);
    expect(parseConfig({ text: starterConfig({ name: 'demo' }) }).workspace.python).toBeUndefined();
  });

  it('starts with comments saying where settings are described and where keys go', () => {
    const text = starterConfig({ name: 'demo' });
    expect(text.startsWith('# llmdev settings.')).toBe(true);
    expect(text).toContain('llmdev secrets set');
    expect(text.endsWith('\n')).toBe(true);
  });
});
