/**
 * Usage and identity of a complete (non-streaming) JSON response body. Never throws: an error body,
 * a truncated body or any other odd JSON yields nulls and empty text.
 */
import type { ApiKind } from './endpoints.js';
import {
  anthropicUsage,
  asObject,
  asString,
  EMPTY_ANTHROPIC_USAGE,
  type Json,
  mergeAnthropicUsage,
  openaiChatUsage,
  openaiResponsesUsage,
} from './normalize.js';
import type { TokenUsage } from './record.js';

export interface ExtractedResponse {
  model: string | null;
  usage: TokenUsage | null;
  systemFingerprint: string | null;
  responseId: string | null;
  /** The assistant's text (first choice), for estimation and replay display. */
  outputText: string;
}

export function extractResponse(kind: ApiKind, body: unknown): ExtractedResponse {
  const root = asObject(body);
  if (!root) return { model: null, usage: null, systemFingerprint: null, responseId: null, outputText: '' };
  const common = {
    model: asString(root.model),
    systemFingerprint: asString(root.system_fingerprint),
    responseId: asString(root.id),
  };
  switch (kind) {
    case 'openai.chat':
      return { ...common, usage: openaiChatUsage(root.usage), outputText: chatText(root) };
    case 'openai.completions':
      return { ...common, usage: openaiChatUsage(root.usage), outputText: completionText(root) };
    case 'openai.embeddings':
      return { ...common, usage: openaiChatUsage(root.usage), outputText: '' };
    case 'openai.responses':
      return { ...common, usage: openaiResponsesUsage(root.usage), outputText: responsesText(root.output) };
    case 'anthropic.messages':
      return {
        ...common,
        usage: anthropicUsage(mergeAnthropicUsage(EMPTY_ANTHROPIC_USAGE, root.usage)),
        outputText: textOfBlocks(root.content, 'text'),
      };
  }
}

function firstChoice(root: Json): Json | null {
  return Array.isArray(root.choices) ? asObject(root.choices[0]) : null;
}

function chatText(root: Json): string {
  const message = asObject(firstChoice(root)?.message);
  if (!message) return '';
  const content = message.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return textOfBlocks(content, 'text');
  return asString(message.refusal) ?? '';
}

function completionText(root: Json): string {
  return asString(firstChoice(root)?.text) ?? '';
}

/** Responses API: the `output_text` parts of the `message` items, in order. */
function responsesText(output: unknown): string {
  if (!Array.isArray(output)) return '';
  let text = '';
  for (const item of output) {
    const message = asObject(item);
    if (message?.type === 'message') text += textOfBlocks(message.content, 'output_text');
  }
  return text;
}

/** Concatenated `text` of the blocks of one type (Anthropic content, chat content parts...). */
export function textOfBlocks(blocks: unknown, type: string): string {
  if (!Array.isArray(blocks)) return '';
  let text = '';
  for (const block of blocks) {
    const part = asObject(block);
    if (part?.type === type && typeof part.text === 'string') text += part.text;
  }
  return text;
}
