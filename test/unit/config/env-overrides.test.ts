import { ENV_PREFIX, envSettings, findEnvOverrides, nearest } from '../../../src/config/env-overrides.js';

describe('envSettings', () => {
  it('names one variable per setting, from its path', () => {
    const settings = envSettings();
    expect(settings.get('LLMDEV_SIDECAR_HOST_PORT')).toEqual({ path: ['sidecar', 'hostPort'], parsed: true });
    expect(settings.get('LLMDEV_PROVIDERS_OPENAI_BASE_URL')).toEqual({
      path: ['providers', 'openai', 'baseUrl'],
      parsed: false,
    });
    expect(settings.get('LLMDEV_BUDGETS')).toEqual({ path: ['budgets'], parsed: true });
    expect(settings.get('LLMDEV_PRICING_OVERRIDES')).toEqual({
      path: ['pricing', 'overrides'],
      parsed: true,
    });
    expect(settings.get('LLMDEV_PROVIDERS_OPENAI_MODE')?.parsed).toBe(false);
    for (const name of settings.keys()) {
      expect(name.startsWith(ENV_PREFIX)).toBe(true);
      expect(name).toMatch(/^[A-Z0-9_]+$/);
    }
  });
});

describe('findEnvOverrides', () => {
  it('parses typed values as YAML and keeps text as text', () => {
    const overrides = findEnvOverrides(
      { LLMDEV_SIDECAR_PORT: '81', LLMDEV_PROJECT_NAME: '0123', LLMDEV_CACHE_ENABLED: 'false' },
      'environment',
    );
    expect(overrides).toEqual([
      { name: 'LLMDEV_SIDECAR_PORT', source: 'environment', path: ['sidecar', 'port'], value: 81 },
      { name: 'LLMDEV_PROJECT_NAME', source: 'environment', path: ['project', 'name'], value: '0123' },
      { name: 'LLMDEV_CACHE_ENABLED', source: 'environment', path: ['cache', 'enabled'], value: false },
    ]);
  });

  it('keeps a value that is not valid YAML as text, for validation to report', () => {
    const [override] = findEnvOverrides({ LLMDEV_BUDGETS: '[{scope: total' }, 'environment');
    expect(override?.value).toBe('[{scope: total');
  });
});

describe('nearest', () => {
  it.each([
    ['sidecr', ['project', 'sidecar', 'budgets'], 'sidecar'],
    ['hostport', ['port', 'hostPort'], 'hostPort'],
    ['limit', ['limitUsd', 'scope'], 'limitUsd'],
    ['cachedPerMTok', ['inputPerMTok', 'cachedInputPerMTok'], 'cachedInputPerMTok'],
    ['color', ['cache', 'network'], undefined],
    ['zzzzzz', [], undefined],
  ])('%s among %j is %s', (word, candidates, expected) => {
    expect(nearest(word, candidates)).toBe(expected);
  });
});
