/**
 * The scan's matching core: stored secret values and key-shaped strings found with their line,
 * once each, whatever the chunk boundaries; words that merely contain "sk-" are not keys; the
 * matched text itself never appears in a match.
 */
import fc from 'fast-check';
import {
  createStreamScanner,
  type Match,
  type ScanRules,
  scanBuffer,
} from '../../../../src/secrets/scan/matcher.js';

const OPENAI = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
const ANTHROPIC = 'sk-ant-api03-ZyXwVuTsRqPoNmLkJiHgFeDcBa98765';
const LEGACY = 'sk-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ';
const TOKEN = 'token-with any bytes=+/ 0123456789';

const rules: ScanRules = {
  secrets: [
    { name: 'llmdev_token', value: TOKEN },
    { name: 'openai_api_key', value: OPENAI },
  ],
  patterns: true,
};

function scanChunks(data: Buffer, cuts: readonly number[], lines = true): Match[] {
  const points = [...new Set(cuts.map((cut) => cut % (data.length + 1)))].sort((a, b) => a - b);
  const matches: Match[] = [];
  const scanner = createStreamScanner(rules, { lines, onMatch: (match) => matches.push(match) });
  let start = 0;
  for (const point of [...points, data.length]) {
    scanner.push(data.subarray(start, point));
    start = point;
  }
  scanner.end();
  return matches;
}

describe('scanBuffer', () => {
  it('finds stored values and each key shape, with lines, naming the rule and fingerprint only', () => {
    const text = `first line\nconst key = "${OPENAI}";\n${TOKEN}\nanthropic: ${ANTHROPIC}\nold=${LEGACY}\n`;
    const matches = scanBuffer(rules, text);
    expect(matches).toEqual([
      {
        kind: 'secret',
        rule: 'value of secret openai_api_key',
        secret: 'openai_api_key',
        fingerprint: expect.any(String),
        line: 2,
      },
      {
        kind: 'secret',
        rule: 'value of secret llmdev_token',
        secret: 'llmdev_token',
        fingerprint: expect.any(String),
        line: 3,
      },
      { kind: 'pattern', rule: 'Anthropic API key', fingerprint: expect.any(String), line: 4 },
      { kind: 'pattern', rule: 'OpenAI key', fingerprint: expect.any(String), line: 5 },
    ]);
    const shown = JSON.stringify(matches);
    for (const value of [OPENAI, ANTHROPIC, LEGACY, TOKEN]) expect(shown).not.toContain(value);
    expect(matches[0]?.fingerprint).toMatch(/^sha256:[0-9a-f]{12} \(44 chars\)$/);
  });

  it('does not take names for keys: OpenSSH algorithm names in every ssh binary', () => {
    const text = 'sk-ecdsa-sha2-nistp256@openssh.com sk-ssh-ed25519-cert-v01@openssh.com';
    expect(scanBuffer(rules, text)).toEqual([]);
  });

  it('does not take words that contain "sk-" for keys, nor short ones', () => {
    const text =
      'task-management-and-scheduling-overview risk-assessment-of-everything-here sk-short disk-0123456789abcdefghijklmnop';
    expect(scanBuffer(rules, text)).toEqual([]);
  });

  it('ignores stored values shorter than 8 characters (they would match innocent text)', () => {
    expect(scanBuffer({ secrets: [{ name: 'x', value: 'abc' }], patterns: false }, 'abc abc')).toEqual([]);
  });

  it('finds keys in binary data (an image layer), next to any non-key byte', () => {
    const data = Buffer.concat([Buffer.from([0, 255, 7]), Buffer.from(ANTHROPIC), Buffer.from([0, 1])]);
    expect(scanBuffer(rules, data, false)).toEqual([
      { kind: 'pattern', rule: 'Anthropic API key', fingerprint: expect.any(String) },
    ]);
  });
});

describe('chunk boundaries (property)', () => {
  it('any split of the stream gives the same matches, lines included', () => {
    const pieces = fc.constantFrom(
      OPENAI,
      ANTHROPIC,
      LEGACY,
      TOKEN,
      '\n',
      ' ',
      'task-',
      'sk-',
      'x',
      '\u00e9\n',
      '==',
    );
    let tried = 0;
    fc.assert(
      fc.property(
        fc.array(pieces, { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (parts, cuts) => {
          tried++;
          const data = Buffer.from(parts.join(''));
          expect(scanChunks(data, cuts)).toEqual(scanBuffer(rules, data));
        },
      ),
      { numRuns: 3000 },
    );
    console.log(`[property] secret scan split invariance: ${tried} cases`);
  });

  it('one byte at a time finds the same as the whole', () => {
    const data = Buffer.from(`a ${OPENAI}\n${TOKEN}${TOKEN}\n ${ANTHROPIC}`);
    const cuts = Array.from({ length: data.length }, (_, i) => i);
    expect(scanChunks(data, cuts)).toEqual(scanBuffer(rules, data));
    expect(scanChunks(data, cuts)).toHaveLength(4);
  });
});
