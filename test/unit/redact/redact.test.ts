import fc from 'fast-check';
import { KEY_PATTERNS, KEY_PREFIX, redact } from '../../../src/redact/index.js';

/** The definition: every known value (8+ characters), then every key shape, replaced everywhere. */
function reference(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  for (const { pattern } of KEY_PATTERNS) out = out.replace(pattern, '[redacted]');
  return out;
}

describe('redact', () => {
  it('masks known secret values and key-shaped strings, and leaves other text alone', () => {
    const token = 'tok-0123456789abcdef';
    expect(
      redact(`a ${token} b sk-proj-${'x'.repeat(24)} c sk-ant-${'y'.repeat(24)} d sk-short`, [token]),
    ).toBe('a [redacted] b [redacted] c [redacted] d sk-short');
    expect(redact('no secrets here', [token])).toBe('no secrets here');
    expect(redact('short value abc', ['abc'])).toBe('short value abc');
  });

  it('every key shape starts with KEY_PREFIX (text without it skips the pattern scans)', () => {
    for (const { pattern } of KEY_PATTERNS) expect(pattern.source.startsWith(KEY_PREFIX)).toBe(true);
  });

  it('matches the definition on arbitrary text', () => {
    const piece = fc.constantFrom('sk-', 'ant-', 'proj-', 'secret-value-1', 'x', '_', ' ', 'é', 'A1b2C3d4E5');
    const text = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        text,
        fc.array(fc.constantFrom('secret-value-1', 'sk-ant-', 'short'), { maxLength: 3 }),
        (t, s) => expect(redact(t, s)).toBe(reference(t, s)),
      ),
    );
  });
});
