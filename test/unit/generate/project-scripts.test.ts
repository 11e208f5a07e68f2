import { addNpmScripts, makefileBlock, makeTargets } from '../../../src/generate/project-scripts.js';

describe('addNpmScripts', () => {
  it("adds llmdev:* scripts, keeping the file's indentation, key order and the project's own scripts", () => {
    const text =
      '{\n    "name": "app",\n    "scripts": {\n        "test": "vitest",\n        "llmdev:up": "make up"\n    },\n    "private": true\n}\n';
    const change = addNpmScripts(text);
    expect(change.kept).toEqual(['llmdev:up']);
    expect(change.added).toEqual([
      'llmdev:down',
      'llmdev:status',
      'llmdev:logs',
      'llmdev:shell',
      'llmdev:doctor',
      'llmdev:usage',
    ]);
    const parsed = JSON.parse(change.text) as { scripts: Record<string, string> };
    expect(Object.keys(JSON.parse(change.text))).toEqual(['name', 'scripts', 'private']);
    expect(parsed.scripts.test).toBe('vitest');
    expect(parsed.scripts['llmdev:up']).toBe('make up');
    expect(parsed.scripts['llmdev:usage']).toBe('llmdev usage');
    expect(change.text).toContain('\n    "scripts": {\n        "test"');
    expect(change.text.endsWith('}\n')).toBe(true);
  });

  it('changes nothing when every script is there', () => {
    const once = addNpmScripts('{"name":"app"}').text;
    expect(addNpmScripts(once)).toEqual({ text: once, added: [], kept: expect.any(Array) });
  });
});

describe('makefileBlock', () => {
  it('one target per command, calling llmdev through npx; recipes are tab-indented', () => {
    const block = makefileBlock(undefined, 'llmdev.config.yaml');
    expect(block).toMatchObject({ path: 'Makefile', kind: 'block' });
    expect(block.content).toContain('LLMDEV ?= npx llmdev\n');
    expect(block.content).toContain('\nup: ## build (cached) and start');
    expect(block.content).toContain('\n\t$(LLMDEV) up\n');
    expect(block.content).toContain('\n\t$(LLMDEV) logs -f\n');
    expect(block.content.startsWith('# >>> llmdev (generated from llmdev.config.yaml) >>>\n')).toBe(true);
    expect(block.content.endsWith('# <<< llmdev <<<\n')).toBe(true);
  });

  it("names a target llmdev-<command> when the Makefile already has it, but not for llmdev's own block", () => {
    const makefile = 'build:\n\tgo build\nup: build\n\t./run\nX := 1\n';
    const block = makefileBlock(makefile, 'llmdev.config.yaml');
    expect(block.content).toContain('\nllmdev-up: ## ');
    expect(block.content).toContain('\ndown: ## ');
    const merged = `${makefile}\n${block.content}`;
    expect(makeTargets(merged)).toEqual(new Set(['build', 'up']));
    expect(makefileBlock(merged, 'llmdev.config.yaml').content).toBe(block.content);
  });
});
