/** `.llmdev-scan-allow`: fingerprints and path globs let fake key-shaped strings through, never a stored value. */
import { FileError } from '../../../../src/errors/index.js';
import { globToRegExp, isAllowed, parseAllowRules } from '../../../../src/secrets/scan/allow.js';
import type { Finding } from '../../../../src/secrets/scan/findings.js';

const finding = (overrides: Partial<Finding>): Finding => ({
  source: 'files',
  location: 'test/a.test.ts:3',
  path: 'test/a.test.ts',
  kind: 'pattern',
  rule: 'OpenAI key',
  fingerprint: 'sha256:0123456789ab (40 chars)',
  count: 1,
  ...overrides,
});

describe('allow rules', () => {
  const rules = parseAllowRules(
    [
      '# fake keys in fixtures',
      'sha256:0123456789ab  # harness key',
      'path:test/**',
      '',
      'path:docs/*.md',
    ].join('\n'),
  );

  it('lets key-shaped strings through by fingerprint anywhere, or by path', () => {
    expect(isAllowed(finding({ path: 'src/x.ts' }), rules)).toBe(true);
    expect(isAllowed(finding({ fingerprint: 'sha256:ffffffffffff (40 chars)' }), rules)).toBe(true);
    expect(
      isAllowed(finding({ fingerprint: 'sha256:ffffffffffff (40 chars)', path: 'docs/a.md' }), rules),
    ).toBe(true);
    expect(
      isAllowed(finding({ fingerprint: 'sha256:ffffffffffff (40 chars)', path: 'docs/x/a.md' }), rules),
    ).toBe(false);
    expect(
      isAllowed(finding({ fingerprint: 'sha256:ffffffffffff (40 chars)', path: undefined }), rules),
    ).toBe(false);
  });

  it('never lets a stored secret value through', () => {
    expect(isAllowed(finding({ kind: 'secret', rule: 'value of secret openai_api_key' }), rules)).toBe(false);
  });

  it('refuses lines it cannot read, naming the line', () => {
    expect(() => parseAllowRules('sha256:0123\n', '.llmdev-scan-allow')).toThrow(FileError);
    expect(() => parseAllowRules('path:a\nsk-proj-whatever\n')).toThrow(/\.llmdev-scan-allow:2/);
  });

  it('globs: * and ? within a segment, ** across, a trailing / for everything under', () => {
    expect(globToRegExp('test/**').test('test/a/b/c.ts')).toBe(true);
    expect(globToRegExp('**/fixtures/*.json').test('a/b/fixtures/x.json')).toBe(true);
    expect(globToRegExp('**/fixtures/*.json').test('fixtures/x.json')).toBe(true);
    expect(globToRegExp('*.md').test('docs/a.md')).toBe(false);
    expect(globToRegExp('bench/').test('bench/proxy.ts')).toBe(true);
    expect(globToRegExp('a?c.txt').test('abc.txt')).toBe(true);
    expect(globToRegExp('a.c').test('abc')).toBe(false);
  });
});
