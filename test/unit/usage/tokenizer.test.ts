import { createRequire } from 'node:module';
import fc from 'fast-check';
import { Tiktoken } from 'js-tiktoken/lite';
import { countTokens, type EncodingName, encodingForModel } from '../../../src/usage/tokenizer.js';

const require = createRequire(import.meta.url);
const reference = new Map<EncodingName, Tiktoken>();

/** js-tiktoken's own encoder, the reference our counter must agree with token for token. */
function referenceCount(text: string, name: EncodingName): number {
  let encoder = reference.get(name);
  if (!encoder) {
    encoder = new Tiktoken(require(`js-tiktoken/ranks/${name}`));
    reference.set(name, encoder);
  }
  return encoder.encode(text, [], []).length;
}

const ENCODINGS: EncodingName[] = ['cl100k_base', 'o200k_base'];

describe('countTokens', () => {
  it.each([
    ['hello world', 'cl100k_base', 2],
    ['hello world', 'o200k_base', 2],
    ['tiktoken is great!', 'cl100k_base', 6],
    ['', 'o200k_base', 0],
  ] as const)('%j in %s is %d tokens', (text, name, expected) => {
    expect(countTokens(text, name)).toBe(expected);
  });

  it.each(ENCODINGS)('matches js-tiktoken on tricky text (%s)', (name) => {
    const samples = [
      'héllo wörld 日本語のテキスト 🙂🙂 naïve café',
      "I'm sure they've ALL'VE gone; we'd   go\n\n\t  x",
      '<|endoftext|> special tokens are counted as plain text <|endofprompt|>',
      `${'supercalifragilisticexpialidocious '.repeat(20)}antidisestablishmentarianism`,
      '12345678901234567890 3.14159 0xDEADBEEF',
      'a'.repeat(1000),
      ' '.repeat(500),
      '\u0000\u0001\uFFFD\u200B',
    ];
    for (const text of samples) expect(countTokens(text, name)).toBe(referenceCount(text, name));
  });

  it('counts identically when a long text comes back from the cache', () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(40);
    const first = countTokens(text, 'o200k_base');
    expect(countTokens(`${text}`, 'o200k_base')).toBe(first);
    expect(first).toBe(referenceCount(text, 'o200k_base'));
  });

  it('counts a 200k-letter run (a single pre-token) without quadratic blow-up', () => {
    const count = countTokens('ab'.repeat(100_000), 'o200k_base');
    expect(count).toBeGreaterThan(200_000 / 64);
    expect(count).toBeLessThanOrEqual(200_000 / 2);
  });

  it('agrees with js-tiktoken on arbitrary Unicode text (property)', () => {
    let tried = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...ENCODINGS),
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 60 }),
          fc.string({ unit: 'grapheme', maxLength: 60 }),
          fc.string(),
        ),
        (name, text) => {
          tried++;
          expect(countTokens(text, name)).toBe(referenceCount(text, name));
        },
      ),
      { numRuns: 1500 },
    );
    console.log(`[property] token counts equal js-tiktoken's: ${tried} cases`);
  });
});

describe('encodingForModel', () => {
  it.each([
    ['gpt-4o', 'o200k_base'],
    ['gpt-4o-mini-2024-07-18', 'o200k_base'],
    ['gpt-4.1-nano', 'o200k_base'],
    ['gpt-4.5-preview', 'o200k_base'],
    ['gpt-5-mini', 'o200k_base'],
    ['o1', 'o200k_base'],
    ['o3-mini', 'o200k_base'],
    ['o4-mini-2025-04-16', 'o200k_base'],
    ['chatgpt-4o-latest', 'o200k_base'],
    ['ft:gpt-4o-mini-2024-07-18:acme::abc123', 'o200k_base'],
    ['some-future-model', 'o200k_base'],
    ['gpt-4', 'cl100k_base'],
    ['gpt-4-0613', 'cl100k_base'],
    ['gpt-4-turbo-2024-04-09', 'cl100k_base'],
    ['gpt-3.5-turbo', 'cl100k_base'],
    ['gpt-35-turbo', 'cl100k_base'],
    ['ft:gpt-3.5-turbo-0125:acme::xyz', 'cl100k_base'],
    ['text-embedding-3-small', 'cl100k_base'],
    ['claude-sonnet-4-5-20250929', 'cl100k_base'],
  ] as const)('%s uses %s', (model, name) => {
    expect(encodingForModel(model)).toBe(name);
  });
});
