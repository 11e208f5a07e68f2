import { isPortableLlmdevRoot, llmdevRootWarning, resolveLlmdevRoot } from '../../../src/generate/context.js';

describe('resolveLlmdevRoot', () => {
  it('is "." in the llmdev repository, wherever it is cloned', () => {
    expect(
      resolveLlmdevRoot({ projectDir: '/src/llmdev', projectPackageName: 'llmdev', packageRoot: '/opt/x' }),
    ).toBe('.');
  });

  it('is the relative path to the installed package', () => {
    expect(
      resolveLlmdevRoot({
        projectDir: '/home/me/app',
        projectPackageName: 'app',
        packageRoot: '/home/me/app/node_modules/llmdev',
      }),
    ).toBe('node_modules/llmdev');
    expect(
      resolveLlmdevRoot({
        projectDir: '/repo/packages/app',
        projectPackageName: undefined,
        packageRoot: '/repo/node_modules/llmdev/',
      }),
    ).toBe('../../node_modules/llmdev');
    expect(resolveLlmdevRoot({ projectDir: '/a', projectPackageName: undefined, packageRoot: '/a' })).toBe(
      '.',
    );
  });
});

describe('isPortableLlmdevRoot', () => {
  it.each([
    ['.', true],
    ['node_modules/llmdev', true],
    ['../../node_modules/llmdev', true],
    ['../../.npm/_npx/1234/node_modules/llmdev', false],
    ['../../work/llmdev', false],
  ])('%s: %s', (root, portable) => {
    expect(isPortableLlmdevRoot(root)).toBe(portable);
    expect(llmdevRootWarning(root) === undefined).toBe(portable);
  });

  it('warns with the fix', () => {
    expect(llmdevRootWarning('../x')).toMatch(/npm i -D llmdev/);
  });
});
