/**
 * Request fields that make a provider bill input the body does not contain, so no count of the
 * body bounds it: the Responses API's stored state (`previous_response_id`, `conversation`, stored
 * `prompt`, `item_reference` items) and files (`input_file`), chat `file` and `input_audio` parts,
 * Anthropic `document` blocks read from base64, a URL or a file (a PDF's pages are billed as text
 * and images), server-side tools whose results come back as input (web search and fetch, file
 * search, code execution, MCP servers). Under a blocking budget such a call is reserved at the
 * model's input ceiling (`limits.modelMaxInputTokens`, `limits.defaultMaxInputTokens`) or refused.
 * Pure; walks only the message and part lists, never string contents.
 */
import type { Config } from '../../config/schema.js';
import type { ApiKind } from '../../usage/endpoints.js';

type Json = Readonly<Record<string, unknown>>;

const present = (value: unknown) => value !== undefined && value !== null && value !== '';
const list = (value: unknown): Json[] =>
  Array.isArray(value) ? value.filter((item): item is Json => typeof item === 'object' && item !== null) : [];

/** Hosted tools (Responses) and server tools (Anthropic, by type prefix) that add billed input. */
const OPENAI_HOSTED_TOOLS = /^(web_search|file_search|code_interpreter|computer_use|mcp|image_generation)/;
const ANTHROPIC_SERVER_TOOLS = /^(web_search|web_fetch|code_execution)_/;

/** The first field whose billed input is not in the body (e.g. `previous_response_id`), or null. */
export function unboundedInputField(kind: ApiKind, body: Json): string | null {
  switch (kind) {
    case 'openai.responses':
      return responsesField(body);
    case 'openai.chat':
      return chatField(body);
    case 'anthropic.messages':
      return anthropicField(body);
    default:
      return null;
  }
}

function responsesField(body: Json): string | null {
  for (const field of ['previous_response_id', 'conversation', 'prompt']) {
    if (present(body[field])) return field;
  }
  for (const [i, item] of list(body.input).entries()) {
    if (item.type === 'item_reference') return `input[${i}] (item_reference)`;
    for (const [j, part] of list(item.content).entries()) {
      if (part.type === 'input_file') return `input[${i}].content[${j}] (input_file)`;
    }
  }
  for (const [i, tool] of list(body.tools).entries()) {
    if (typeof tool.type === 'string' && OPENAI_HOSTED_TOOLS.test(tool.type))
      return `tools[${i}] (${tool.type})`;
  }
  return null;
}

function chatField(body: Json): string | null {
  for (const [i, message] of list(body.messages).entries()) {
    for (const [j, part] of list(message.content).entries()) {
      if (part.type === 'file' || part.type === 'input_audio')
        return `messages[${i}].content[${j}] (${part.type})`;
    }
  }
  if (present(body.web_search_options)) return 'web_search_options';
  return null;
}

function anthropicField(body: Json): string | null {
  for (const [i, message] of list(body.messages).entries()) {
    const found = anthropicBlocksField(message.content, `messages[${i}].content`);
    if (found) return found;
  }
  const system = anthropicBlocksField(body.system, 'system');
  if (system) return system;
  if (present(body.mcp_servers)) return 'mcp_servers';
  if (present(body.container)) return 'container';
  for (const [i, tool] of list(body.tools).entries()) {
    if (typeof tool.type === 'string' && ANTHROPIC_SERVER_TOOLS.test(tool.type))
      return `tools[${i}] (${tool.type})`;
  }
  return null;
}

function anthropicBlocksField(blocks: unknown, path: string): string | null {
  for (const [j, block] of list(blocks).entries()) {
    const sourceType = (block.source as Json | undefined)?.type;
    if (block.type === 'document' && sourceType !== 'text' && sourceType !== 'content') {
      return `${path}[${j}] (document, source ${String(sourceType)})`;
    }
    if (block.type === 'container_upload') return `${path}[${j}] (container_upload)`;
    if (block.type === 'tool_result') {
      const nested = anthropicBlocksField(block.content, `${path}[${j}].content`);
      if (nested) return nested;
    }
  }
  return null;
}

type InputLimits = Pick<Config['limits'], 'modelMaxInputTokens' | 'defaultMaxInputTokens'>;

/** The input ceiling configured for a model, or undefined when none is. */
export function inputCeiling(model: string, limits: Partial<InputLimits>): number | undefined {
  return limits.modelMaxInputTokens?.[model] ?? limits.defaultMaxInputTokens;
}
