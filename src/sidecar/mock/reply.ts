/**
 * What the mock provider says: a deterministic reply built from the request (same request, same
 * text, same token counts), which says plainly that no provider was called. When the request asks
 * for JSON output, the reply is a JSON object so code that parses it keeps working.
 */
import type { ApiKind } from '../../usage/endpoints.js';

type Json = Record<string, unknown>;

const SNIPPET_CHARS = 80;

export function mockReplyText(kind: ApiKind, body: Json): string {
  const provider = kind.startsWith('anthropic') ? 'Anthropic' : 'OpenAI';
  // Only the start is quoted: never run the whitespace regex over a 19 MB prompt.
  const prompt = lastUserText(kind, body)
    .slice(0, SNIPPET_CHARS * 16)
    .replace(/\s+/g, ' ')
    .trim();
  const snippet = prompt.length > SNIPPET_CHARS ? `${prompt.slice(0, SNIPPET_CHARS - 3)}...` : prompt;
  const note = `This is the llmdev mock ${provider} provider: no API key is configured, so nothing was sent upstream.`;
  if (wantsJson(body)) return JSON.stringify({ mock: true, note, prompt: snippet });
  return snippet ? `${note} You said: "${snippet}"` : note;
}

function wantsJson(body: Json): boolean {
  const chatFormat = (body.response_format as Json | undefined)?.type;
  const responsesFormat = ((body.text as Json | undefined)?.format as Json | undefined)?.type;
  return [chatFormat, responsesFormat].some((type) => type === 'json_object' || type === 'json_schema');
}

function lastUserText(kind: ApiKind, body: Json): string {
  switch (kind) {
    case 'openai.chat':
    case 'anthropic.messages':
      return textOf(lastUser(body.messages)?.content);
    case 'openai.responses':
      return typeof body.input === 'string' ? body.input : textOf(lastUser(body.input)?.content);
    case 'openai.completions':
    case 'openai.embeddings':
      return textOf(kind === 'openai.completions' ? body.prompt : body.input);
  }
}

function lastUser(messages: unknown): Json | undefined {
  if (!Array.isArray(messages)) return undefined;
  return (messages as Json[]).findLast((message) => message?.role === 'user');
}

/** A string, or the text parts of a content array. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (typeof part === 'string' ? part : typeof part?.text === 'string' ? part.text : ''))
    .join(' ');
}

/** The reply in streaming pieces of a few words each. */
export function streamPieces(text: string): string[] {
  const words = text.match(/\S+\s*/g) ?? [];
  const pieces: string[] = [];
  for (let i = 0; i < words.length; i += 3) pieces.push(words.slice(i, i + 3).join(''));
  return pieces.length > 0 ? pieces : [''];
}
