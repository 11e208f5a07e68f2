/** Prompt files: front matter, a version reproducible from the file, rendering and request bodies. */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPrompt, parsePrompt } from '../../../src/client/prompts.js';
import { ConfigError, FileError, UsageError } from '../../../src/errors/index.js';

const SUMMARIZE = `---
version: 3
description: One-paragraph summary
model: gpt-4o-mini
params:
  temperature: 0.2
  max_tokens: 200
---
{{role "system"}}
You summarize {{ kind }} in one paragraph.

{{role "user"}}
Summarize this:
{{text}}
`;

const parse = (text: string, name = 'summarize') => parsePrompt(text, { name, file: `prompts/${name}.md` });
const sha8 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

describe('parsePrompt', () => {
  it('reads the front matter and versions the prompt as version+hash of the file', () => {
    const prompt = parse(SUMMARIZE);
    expect(prompt).toMatchObject({
      name: 'summarize',
      version: `3+${sha8(SUMMARIZE)}`,
      id: `summarize@3+${sha8(SUMMARIZE)}`,
      description: 'One-paragraph summary',
      model: 'gpt-4o-mini',
      params: { temperature: 0.2, max_tokens: 200 },
      variables: ['kind', 'text'],
    });
    expect(prompt.hash).toBe(createHash('sha256').update(SUMMARIZE).digest('hex'));
  });

  it('is reproducible: the same file gives the same version, on any line endings', () => {
    expect(parse(SUMMARIZE).version).toBe(parse(SUMMARIZE).version);
    expect(parse(SUMMARIZE.replace(/\n/g, '\r\n')).version).toBe(parse(SUMMARIZE).version);
    expect(parse(`\uFEFF${SUMMARIZE}`).version).toBe(parse(SUMMARIZE).version);
  });

  it('any edit changes the version, even when the front-matter version stays', () => {
    const edited = SUMMARIZE.replace('one paragraph', 'two sentences');
    expect(parse(edited).version).not.toBe(parse(SUMMARIZE).version);
    expect(parse(edited).version.startsWith('3+')).toBe(true);
    const retuned = SUMMARIZE.replace('temperature: 0.2', 'temperature: 0.3');
    expect(parse(retuned).version).not.toBe(parse(SUMMARIZE).version);
  });

  it('without a version in the front matter, the version is the hash', () => {
    const text = 'Say hi to {{name}}.';
    const prompt = parse(text, 'greet');
    expect(prompt.version).toBe(sha8(text));
    expect(prompt.id).toBe(`greet@${sha8(text)}`);
    expect(prompt.render({ name: 'Ada' })).toEqual([{ role: 'user', content: 'Say hi to Ada.' }]);
  });

  it('renders messages by role with variables filled in, once (values are not re-expanded)', () => {
    expect(parse(SUMMARIZE).render({ kind: 'articles', text: 'A {{kind}} text.' })).toEqual([
      { role: 'system', content: 'You summarize articles in one paragraph.' },
      { role: 'user', content: 'Summarize this:\nA {{kind}} text.' },
    ]);
  });

  it('a missing variable is an error naming it and the file', () => {
    const error = (() => {
      try {
        parse(SUMMARIZE).render({ kind: 'notes' });
      } catch (e) {
        return e as UsageError;
      }
      throw new Error('expected an error');
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe('prompts/summarize.md: no value for {{text}}');
    expect(error.hint).toBe("Pass it when rendering, e.g. prompt.render({ text: '...' }).");
  });

  it('builds OpenAI and Anthropic request bodies', () => {
    const prompt = parse(SUMMARIZE);
    const values = { kind: 'notes', text: 'x' };
    expect(prompt.openai(values)).toEqual({
      model: 'gpt-4o-mini',
      temperature: 0.2,
      max_tokens: 200,
      messages: prompt.render(values),
    });
    expect(prompt.anthropic(values, { model: 'claude-haiku-4-5' })).toEqual({
      model: 'claude-haiku-4-5',
      temperature: 0.2,
      max_tokens: 200,
      system: 'You summarize notes in one paragraph.',
      messages: [{ role: 'user', content: 'Summarize this:\nx' }],
    });
    const bare = parse('---\nmodel: claude-haiku-4-5\n---\nHi', 'hi');
    expect(bare.anthropic({}, { maxTokens: 64 })).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(() => parse('Hi', 'hi').openai()).toThrow('prompts/hi.md names no model');
  });

  it.each([
    ['---\nmodel: [1\n---\nx', /the front matter is not valid YAML/],
    ['---\nmodel: x\nno closing line', /the front matter has no closing --- line/],
    ['---\n- a\n---\nx', /the front matter must be a map of settings/],
    ['---\nversion: "1@2"\n---\nx', /version: expected a version without "@", "\+" or spaces/],
    ['---\nparams: 3\n---\nx', /params: expected a map of request parameters/],
  ])('rejects bad front matter %#', (text, message) => {
    expect(() => parse(text)).toThrow(ConfigError);
    expect(() => parse(text)).toThrow(message);
  });

  it('keeps custom front-matter fields', () => {
    expect(parse('---\nowner: search-team\n---\nx').meta).toMatchObject({ owner: 'search-team' });
  });
});

describe('loadPrompt', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'llmdev-prompts-'));
    await writeFile(join(dir, 'summarize.md'), SUMMARIZE);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loads prompts/NAME.md', async () => {
    const prompt = await loadPrompt('summarize', { dir });
    expect(prompt.file).toBe(join(dir, 'summarize.md'));
    expect(prompt.id).toBe(parse(SUMMARIZE).id);
  });

  it('says which file is missing and how to point at the folder', async () => {
    await expect(loadPrompt('nope', { dir })).rejects.toThrow(FileError);
    await expect(loadPrompt('nope', { dir })).rejects.toThrow(
      `cannot read ${join(dir, 'nope.md')} (no such file)`,
    );
  });

  it('refuses names that leave the prompts folder', async () => {
    await expect(loadPrompt('../etc/passwd', { dir })).rejects.toThrow(UsageError);
  });
});
