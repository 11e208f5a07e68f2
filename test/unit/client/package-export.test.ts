/**
 * `llmdev/client` as users import it: Node resolves the package export to the compiled library, its
 * types sit beside it, and in this repository the same specifier type-checks against the source.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const json = <T>(file: string) => JSON.parse(readFileSync(`${ROOT}${file}`, 'utf8')) as T;

describe('package export llmdev/client', () => {
  it('resolves to what `npm run build` emits for src/client/index.ts', async () => {
    const { stdout } = await execa(
      'node',
      ['--input-type=module', '-e', "console.log(import.meta.resolve('llmdev/client'))"],
      {
        cwd: ROOT,
      },
    );
    expect(stdout).toBe(`file://${ROOT}dist/client/index.js`);
    const build = json<{ compilerOptions: { rootDir: string; outDir: string } }>(
      'tsconfig.build.json',
    ).compilerOptions;
    expect([build.rootDir, build.outDir]).toEqual(['src', 'dist']);
    expect(json<{ exports: Record<string, unknown> }>('package.json').exports['./client']).toEqual({
      types: './dist/client/index.d.ts',
      default: './dist/client/index.js',
    });
  });
});
