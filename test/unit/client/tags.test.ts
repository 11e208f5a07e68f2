/** The x-llmdev-tags / x-llmdev-prompt header values the client sends. */
import { callOptions, createOpenAI } from '../../../src/client/clients.js';
import { loadConfig } from '../../../src/client/settings.js';
import { formatPromptId, formatTags, parseTags } from '../../../src/client/tags.js';
import { UsageError } from '../../../src/errors/index.js';

describe('tags', () => {
  it('formats and parses k=v pairs', () => {
    expect(formatTags({ feature: 'search', 'run/id': '2024-06-01' })).toBe(
      'feature=search,run/id=2024-06-01',
    );
    expect(parseTags(' feature = search ,, run=1 ')).toEqual({ feature: 'search', run: '1' });
  });

  it.each([
    [{ 'bad key': 'x' }, 'tag key "bad key": expected 1 to 64 letters, digits or _.:/-'],
    [{ k: 'a,b' }, 'tag k: expected a text value without commas, at most 256 characters'],
    [{ k: 'x'.repeat(257) }, 'tag k: expected a text value without commas, at most 256 characters'],
    [{ k: ' padded' }, 'tag k: the value has leading or trailing spaces'],
    [Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])), 'at most 32 tags, got 33'],
  ])('refuses tags the sidecar would reject %#', (tags, message) => {
    expect(() => formatTags(tags)).toThrow(UsageError);
    expect(() => formatTags(tags)).toThrow(`llmdev tags: ${message}`);
  });

  it('prompt ids are name@version', () => {
    expect(formatPromptId('summarize', '3+1a2b3c4d')).toBe('summarize@3+1a2b3c4d');
    expect(() => formatPromptId('a@b', '1')).toThrow(UsageError);
  });
});

describe('callOptions', () => {
  const settings = loadConfig({
    env: { LLMDEV_TOKEN: 'llmdev-token-0123456789abcdef', LLMDEV_TAGS: 'app=demo' },
    envFile: false,
  });

  it('adds per-call tags to the client defaults and the prompt id', () => {
    const openai = createOpenAI({ settings, tags: { team: 'core' } });
    expect(
      callOptions(openai, { tags: { step: 'draft', team: 'search' }, prompt: { id: 'summarize@3+ab' } }),
    ).toEqual({
      headers: { 'x-llmdev-tags': 'app=demo,team=search,step=draft', 'x-llmdev-prompt': 'summarize@3+ab' },
    });
    expect(callOptions({}, { prompt: 'p@1' })).toEqual({ headers: { 'x-llmdev-prompt': 'p@1' } });
  });
});
