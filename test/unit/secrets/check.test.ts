import { parseConfig } from '../../../src/config/load.js';
import { assessSecrets, type SecretsSnapshot } from '../../../src/secrets/check.js';

const config = parseConfig({ text: 'project: {name: demo}' });
const file = (mode: number, size = 40, uid = 1000) => ({ mode, uid, size });

const healthy: SecretsSnapshot = {
  dir: file(0o700, 4096),
  files: {
    llmdev_token: file(0o600, 43),
    openai_api_key: file(0o600, 0),
    anthropic_api_key: file(0o600, 108),
  },
  exposure: { kind: 'ignored' },
  containerUid: 1000,
};

const failures = (snapshot: SecretsSnapshot, cfg = config) =>
  assessSecrets(cfg, snapshot)
    .filter((f) => !f.ok)
    .map((f) => `${f.check}: ${f.detail} -> ${f.fix}`);

describe('assessSecrets', () => {
  it('passes private files in a private, git-ignored directory; an empty key means mock', () => {
    expect(failures(healthy)).toEqual([]);
    const openai = assessSecrets(config, healthy).find((f) => f.check.includes('openai_api_key'));
    expect(openai?.detail).toMatch(/mock/);
  });

  it('fails group- or world-readable files and directories, with the chmod that fixes them', () => {
    const loose = {
      ...healthy,
      dir: file(0o755, 4096),
      files: { ...healthy.files, anthropic_api_key: file(0o644) },
    };
    expect(failures(loose)).toEqual([
      expect.stringMatching(/^\.secrets\/: mode 0755.*chmod 700 \.secrets$/),
      expect.stringMatching(/anthropic_api_key.*mode 0644.*chmod 600 \.secrets\/anthropic_api_key$/),
    ]);
  });

  it('fails secrets tracked by git or not ignored, and files the container user cannot read', () => {
    expect(failures({ ...healthy, exposure: { kind: 'tracked', files: ['.secrets/x'] } })[0]).toMatch(
      /git rm -r --cached \.secrets/,
    );
    expect(failures({ ...healthy, exposure: { kind: 'not-ignored' } })[0]).toMatch(/\.gitignore/);
    expect(failures({ ...healthy, containerUid: 1001 })).toHaveLength(3);
  });

  it('requires the token, and a key when the provider is forced live', () => {
    const live = parseConfig({ text: 'project: {name: demo}\nproviders: {openai: {mode: live}}' });
    const missingToken = { ...healthy, files: { ...healthy.files, llmdev_token: undefined } };
    expect(failures(missingToken)[0]).toMatch(/llmdev_token.*missing.*llmdev up/);
    expect(failures(healthy, live)[0]).toMatch(/openai_api_key.*empty.*llmdev secrets set openai_api_key/);
  });

  it('before the first `llmdev up`, accepts what initialize.sh will create, but not a missing live key', () => {
    const fresh: SecretsSnapshot = {
      ...healthy,
      dir: undefined,
      files: { llmdev_token: undefined, openai_api_key: undefined, anthropic_api_key: undefined },
    };
    expect(assessSecrets(config, fresh, { beforeInitialize: true }).every((f) => f.ok)).toBe(true);
    expect(failures(fresh)).toHaveLength(4); // after initialize.sh ran, missing is a failure
    const live = parseConfig({ text: 'project: {name: demo}\nproviders: {anthropic: {mode: live}}' });
    expect(
      assessSecrets(live, fresh, { beforeInitialize: true })
        .filter((f) => !f.ok)
        .map((f) => f.fix),
    ).toEqual(['llmdev secrets set anthropic_api_key']);
  });
});
