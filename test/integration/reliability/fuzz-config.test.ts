/**
 * Config parsing under fuzz: arbitrary text, YAML-ish token soup, arbitrary values at every real
 * setting path of a valid config, and LLMDEV_* environment and .env overrides. parseConfig either
 * returns a config or throws a ConfigError naming where; never anything else (a TypeError, a YAML
 * ReferenceError, a stack overflow), and never echoes a key-shaped value.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { envSettings } from '../../../src/config/env-overrides.js';
import { parseConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors/index.js';

const FAKE_KEY = 'sk-proj-fuzzConfigKey0123456789abcdefghijklmnop';

/** Parses and classifies; fails the property on anything but success or a well-formed ConfigError. */
function check(input: Parameters<typeof parseConfig>[0]): 'ok' | 'config-error' {
  try {
    parseConfig(input);
    return 'ok';
  } catch (error) {
    if (!(error instanceof ConfigError))
      throw new Error(`parseConfig threw ${String(error)}`, { cause: error });
    expect(error.message.length).toBeGreaterThan(0);
    expect(error.message).not.toContain(FAKE_KEY);
    expect(error.hint).toBeDefined();
    return 'config-error';
  }
}

const VALID = {
  project: { name: 'fuzz' },
  sidecar: { port: 4100, hostPort: 4101, logLevel: 'info' },
  providers: { openai: { mode: 'auto' }, anthropic: { route: 'proxy' } },
  budgets: [{ scope: 'model', match: 'gpt-4o', period: 'day', limitUsd: 5, action: 'block' }],
  pricing: { overrides: { 'my-model': { inputPerMTok: 1, outputPerMTok: 2 } } },
};

const TOKENS = [
  'project:',
  '  name: fuzz',
  'sidecar:',
  '  port: ',
  'budgets:',
  '  - scope: total',
  '    limitUsd: 5',
  'providers:',
  '  openai: {mode: live}',
  'pricing: {overrides: {a: {inputPerMTok: 1}}}',
  '4100',
  '-1',
  '1e309',
  '0x1F',
  '.nan',
  'null',
  '~',
  'true',
  'yes',
  '"',
  "'",
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  '- ',
  '? ',
  '&a',
  '*a',
  '<<: *a',
  '!!binary',
  '!!str',
  '!!int',
  '!!set',
  '%YAML 1.2',
  '---',
  '...',
  '#',
  '\t',
  '|',
  '>-',
  FAKE_KEY,
  '__proto__:',
  'constructor:',
  '\u0000',
  '\ufeff',
  '\u2028',
  '😀',
];

const settingPaths = [...envSettings().values()].map((setting) => setting.path);
const envNames = [...envSettings().keys()];

describe('parseConfig never throws anything but ConfigError (properties)', () => {
  const counts = { ok: 0, 'config-error': 0 };
  afterAll(() => {
    console.log(
      `[fuzz] config parsing: ${counts.ok + counts['config-error']} cases (${counts.ok} valid, ${counts['config-error']} ConfigError, 0 other)`,
    );
  });
  const run = (input: Parameters<typeof parseConfig>[0]) => {
    counts[check(input)]++;
  };

  it('arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => run({ text })),
      { numRuns: 2000 },
    );
  });

  it('YAML-ish token soup (anchors, aliases, tags, flow and block mixes)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }),
        fc.constantFrom('\n', ' ', ''),
        (parts, sep) => run({ text: parts.join(sep) }),
      ),
      { numRuns: 3000 },
    );
  });

  it('arbitrary values at every real setting path of a valid config', () => {
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom(FAKE_KEY, -1, 0, Number.POSITIVE_INFINITY, Number.NaN, '', '0', 'true', [], {}, null),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...settingPaths), value), { maxLength: 5 }), (edits) => {
        const config = structuredClone(VALID) as Record<string, unknown>;
        for (const [path, edit] of edits) {
          let node = config;
          for (const key of path.slice(0, -1)) {
            if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
            node = node[key] as Record<string, unknown>;
          }
          node[path.at(-1) as string] = edit;
        }
        run({ text: stringify(config) });
      }),
      { numRuns: 2000 },
    );
  });

  it('arbitrary documents (any YAML value)', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 3 }), (doc) => run({ text: stringify(doc) ?? '' })),
      {
        numRuns: 1500,
      },
    );
  });

  it('LLMDEV_* environment and .env overrides, including misspelt ones', () => {
    const name = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...envNames) },
      { weight: 1, arbitrary: fc.constantFrom(...envNames).map((n) => `${n}X`) },
      { weight: 1, arbitrary: fc.constantFrom('LLMDEV_PROJECT', 'LLMDEV_', 'LLMDEV_URL', 'LLMDEV_SIDECAR') },
    );
    const raw = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom(
        '[{scope: total, limitUsd: 5}]',
        '[{scope: tag, match: "a=b", limitUsd: -1}]',
        '{',
        '*a',
        FAKE_KEY,
        '1e9',
        '',
      ),
    );
    fc.assert(
      fc.property(
        fc.dictionary(name, raw, { maxKeys: 4 }),
        fc.array(fc.tuple(name, raw), { maxLength: 3 }),
        (env, dotenvPairs) => {
          const dotenv = dotenvPairs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n');
          run({ text: stringify(VALID), env, dotenv });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('YAML that only fails when its values are built: alias bombs and unknown anchors', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]']
      .concat(
        ['b', 'c', 'd', 'e', 'f'].map(
          (name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcde'[i]}`).join(', ')}]`,
        ),
      )
      .join('\n');
    expect(() => parseConfig({ text: bomb })).toThrow(/not valid YAML: Excessive alias count/);
    expect(() => parseConfig({ text: 'project: *nowhere' })).toThrow(ConfigError);
  });

  it('never echoes a key pasted where a setting name goes', () => {
    expect(() => parseConfig({ text: `project: {name: x}\n${FAKE_KEY}: 1\n` })).toThrow(
      'llmdev.config.yaml: [redacted]: unknown setting (line 2)',
    );
  });
});
