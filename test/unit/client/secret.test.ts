/** A Secret never shows its value, whichever way it is printed; only `.reveal()` returns it. */
import { Console } from 'node:console';
import { PassThrough } from 'node:stream';
import { format, inspect } from 'node:util';
import { SECRET_MASK, Secret } from '../../../src/client/secret.js';
import { loadConfig } from '../../../src/client/settings.js';

const VALUE = 'sk-proj-superSecretValue0123456789abcdef';

function consoleOutput(log: (console: Console) => void): string {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const console = new Console({ stdout: stream, stderr: stream });
  log(console);
  return Buffer.concat(chunks).toString('utf8');
}

describe('Secret', () => {
  const secret = new Secret(VALUE, 'OPENAI_API_KEY_FILE (/run/secrets/openai_api_key)');

  it('reveals the value only when asked', () => {
    expect(secret.reveal()).toBe(VALUE);
  });

  it.each([
    ['String()', () => String(secret)],
    ['template string', () => `key=${secret}`],
    ['concatenation', () => `key=${secret}`],
    ['toString()', () => secret.toString()],
    ['JSON.stringify', () => JSON.stringify({ apiKey: secret })],
    ['util.inspect', () => inspect(secret)],
    [
      'util.inspect, nested and hidden fields shown',
      () => inspect({ a: { b: secret } }, { showHidden: true, depth: 9 }),
    ],
    ['util.format %s %o %O %j', () => format('%s %o %O %j', secret, secret, secret, { secret })],
    ['console.log', () => consoleOutput((console) => console.log(secret))],
    [
      'console.log of an object',
      () => consoleOutput((console) => console.log({ settings: { token: secret } })),
    ],
    ['console.error with %s', () => consoleOutput((console) => console.error('token: %s', secret))],
    ['console.table', () => consoleOutput((console) => console.table([{ token: secret }]))],
    ['spread and entries', () => JSON.stringify([{ ...secret }, Object.entries(secret)])],
    ['structuredClone', () => inspect(structuredClone(secret))],
  ])('%s shows a mask', (_name, render) => {
    const text = render();
    expect(text).not.toContain(VALUE);
    expect(text).not.toContain('superSecret');
  });

  it('prints the mask and where the value came from', () => {
    expect(String(secret)).toBe(SECRET_MASK);
    expect(JSON.stringify({ apiKey: secret })).toBe(`{"apiKey":"${SECRET_MASK}"}`);
    expect(inspect(secret)).toBe(
      `Secret(${SECRET_MASK} from OPENAI_API_KEY_FILE (/run/secrets/openai_api_key))`,
    );
  });

  it('loaded settings can be logged whole', () => {
    const settings = loadConfig({
      env: { LLMDEV_TOKEN: VALUE, LLMDEV_OPENAI_ROUTE: 'direct', LLMDEV_OPENAI_KEY: `${VALUE}X` },
      envFile: false,
      readText: () => {
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      },
    });
    for (const text of [
      JSON.stringify(settings),
      inspect(settings, { depth: 9, showHidden: true }),
      consoleOutput((console) => console.log(settings)),
    ]) {
      expect(text).not.toContain(VALUE);
      expect(text).toContain(SECRET_MASK);
    }
    // console.dir turns custom inspection off; the value is in a private field, so still not shown.
    const dir = consoleOutput((console) => console.dir(settings, { depth: 9, showHidden: true }));
    expect(dir).not.toContain(VALUE);
    expect(dir).toContain("Secret { source: 'LLMDEV_TOKEN' }");
  });
});
