import fc from 'fast-check';
import { SecretError, UsageError } from '../../../src/errors/index.js';
import { normalizeSecretValue, parseSecretName } from '../../../src/secrets/value.js';

describe('parseSecretName', () => {
  it('accepts names that are safe file names and rejects the rest with the schema message', () => {
    expect(parseSecretName('openai_api_key')).toBe('openai_api_key');
    for (const bad of ['../x', 'Upper', '', 'a/b', '.hidden', 'ca_certs']) {
      expect(() => parseSecretName(bad)).toThrow(UsageError);
    }
  });
});

describe('normalizeSecretValue', () => {
  it('drops the trailing newline echo and heredocs add, and nothing else', () => {
    expect(normalizeSecretValue('sk-abc\n', 'k')).toBe('sk-abc');
    expect(normalizeSecretValue('sk-abc\r\n', 'k')).toBe('sk-abc');
    expect(normalizeSecretValue(' sk abc ', 'k')).toBe(' sk abc ');
  });

  it('refuses an empty value, pointing at `secrets rm`', () => {
    expect(() => normalizeSecretValue('\n', 'openai_api_key')).toThrow(SecretError);
    try {
      normalizeSecretValue('', 'openai_api_key');
    } catch (error) {
      expect((error as SecretError).hint).toMatch(/secrets rm openai_api_key/);
    }
  });

  it('never ends in a newline and keeps every other character', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => !/^[\r\n]*$/.test(s)),
        (raw) => {
          const value = normalizeSecretValue(raw, 'k');
          expect(value.endsWith('\n')).toBe(false);
          expect(raw.startsWith(value)).toBe(true);
        },
      ),
    );
  });
});
