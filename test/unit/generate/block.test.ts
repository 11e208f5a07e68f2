import { extractBlock, IGNORE_MARKERS, locateBlock, mergeBlock } from '../../../src/generate/block.js';

const BLOCK = '# >>> llmdev (generated from llmdev.config.yaml) >>>\n.secrets/\n# <<< llmdev <<<\n';
const OLD = '# >>> llmdev (generated from llmdev.config.yaml) >>>\nold\n# <<< llmdev <<<\n';

describe('managed blocks', () => {
  it('creates the file when there is none', () => {
    expect(mergeBlock(undefined, BLOCK, IGNORE_MARKERS)).toBe(BLOCK);
    expect(mergeBlock('', BLOCK, IGNORE_MARKERS)).toBe(BLOCK);
  });

  it("appends the block after the user's text, after a blank line", () => {
    expect(mergeBlock('node_modules/\n', BLOCK, IGNORE_MARKERS)).toBe(`node_modules/\n\n${BLOCK}`);
    expect(mergeBlock('node_modules/', BLOCK, IGNORE_MARKERS)).toBe(`node_modules/\n\n${BLOCK}`);
  });

  it('replaces only the block, keeping the text around it', () => {
    const text = `dist/\n${OLD}*.log\n`;
    expect(mergeBlock(text, BLOCK, IGNORE_MARKERS)).toBe(`dist/\n${BLOCK}*.log\n`);
    expect(mergeBlock(OLD, BLOCK, IGNORE_MARKERS)).toBe(BLOCK);
    expect(mergeBlock(`${OLD}`.trimEnd(), BLOCK, IGNORE_MARKERS)).toBe(BLOCK);
  });

  it('is stable: merging twice changes nothing', () => {
    const once = mergeBlock('a\n', BLOCK, IGNORE_MARKERS);
    expect(mergeBlock(once, BLOCK, IGNORE_MARKERS)).toBe(once);
  });

  it('finds and extracts the block', () => {
    const text = `a\n${OLD}b\n`;
    expect(locateBlock(text, IGNORE_MARKERS)).toEqual({ found: 'block', start: 1, end: 3 });
    expect(extractBlock(text, IGNORE_MARKERS)).toBe(OLD);
    expect(locateBlock('a\n', IGNORE_MARKERS)).toEqual({ found: 'none' });
    expect(extractBlock('a\n', IGNORE_MARKERS)).toBeUndefined();
  });

  it('replaces an unterminated block to the end of the file', () => {
    const text = 'a\n# >>> llmdev (generated from llmdev.config.yaml) >>>\nstray\n';
    expect(locateBlock(text, IGNORE_MARKERS)).toEqual({ found: 'unterminated', start: 1 });
    expect(mergeBlock(text, BLOCK, IGNORE_MARKERS)).toBe(`a\n${BLOCK}`);
  });
});
