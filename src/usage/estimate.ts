/**
 * Token estimates for when the provider reports no usage (an interrupted stream), for the mock
 * provider, and for budget reservations before a call. OpenAI models are counted with their own
 * tiktoken encoding and the OpenAI cookbook's chat overheads (exact for plain messages and function
 * tools); Claude has no public tokenizer, so its counts are approximations (see tokenizer.ts).
 * Never throws: unknown shapes count what text they have.
 */
import type { ApiKind } from './endpoints.js';
import { asObject, asString, type Json } from './normalize.js';
import type { TokenUsage } from './record.js';
import type { StreamSummary } from './sse.js';
import { boundedCounter, countTokens, type EncodingName, encodingForModel } from './tokenizer.js';

export { encodingForModel, preloadEncodings } from './tokenizer.js';

type Count = (text: string) => number;

/** Cookbook: every message is `<|start|>{role/name}\n{content}<|end|>\n`; replies are primed. */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING = 3;
/** Image inputs, whose size we do not know: OpenAI low detail, OpenAI 1024² high detail, Claude max. */
const OPENAI_IMAGE_LOW = 85;
const OPENAI_IMAGE = 765;
const ANTHROPIC_IMAGE = 1600;
/** Anthropic's hidden tool-use system prompt (Claude 4 family, tool_choice auto). */
const ANTHROPIC_TOOL_PROMPT = 346;

/** Tokens of a text; bounded work (an upper bound past REQUEST_COUNT_LIMITS, see tokenizer.ts). */
export function countTextTokens(text: string, model: string): number {
  return counter(model, false)(text);
}

/**
 * Counts for one request: bounded (the sidecar, on its event loop, and records' estimates), or
 * exact however long it takes (a client asking what its prompt costs).
 */
function counter(model: string, exact: boolean): Count {
  const name: EncodingName = encodingForModel(model);
  return exact ? (text) => countTokens(text, name) : boundedCounter(name);
}

/** Prompt tokens of OpenAI chat `messages`, including the reply priming (OpenAI cookbook); exact. */
export function estimateMessagesTokens(messages: unknown, model: string): number {
  return chatMessagesTokens(messages, counter(model, true));
}

/**
 * Estimated input tokens of a request body for an API; 0 when the body is not an object. Bounded
 * work unless `exact`: past the limits, an upper bound, which is what a reservation needs.
 */
export function estimateInputTokens(
  kind: ApiKind,
  requestBody: unknown,
  options: { exact?: boolean } = {},
): number {
  const body = asObject(requestBody);
  if (!body) return 0;
  const model = asString(body.model) ?? '';
  const count = counter(model, options.exact === true);
  switch (kind) {
    case 'openai.chat':
      return (
        chatMessagesTokens(body.messages, count) +
        functionToolsTokens(chatTools(body), count, model) +
        schemaTokens(asObject(body.response_format)?.json_schema, count)
      );
    case 'openai.responses':
      return (
        responsesInputTokens(body, count) +
        functionToolsTokens(responsesTools(body.tools), count, model) +
        schemaTokens(asObject(asObject(body.text)?.format)?.schema, count)
      );
    case 'openai.embeddings':
      return promptTokens(body.input, count);
    case 'openai.completions':
      return promptTokens(body.prompt, count) + count(asString(body.suffix) ?? '');
    case 'anthropic.messages':
      return anthropicInputTokens(body, count);
  }
}

/**
 * Whether a request body asks for 1-hour prompt caching anywhere (Anthropic's
 * `cache_control: {type: "ephemeral", ttl: "1h"}` on a system block, message part or tool): only
 * then can a call write to the dearer 1-hour cache, so budget reservations price it in.
 */
export function requestsHourCache(requestBody: unknown, depth = 0): boolean {
  if (depth > 64 || requestBody === null || typeof requestBody !== 'object') return false;
  if (Array.isArray(requestBody)) return requestBody.some((item) => requestsHourCache(item, depth + 1));
  const body = requestBody as Record<string, unknown>;
  if (asObject(body.cache_control)?.ttl === '1h') return true;
  return Object.values(body).some((value) => requestsHourCache(value, depth + 1));
}

/**
 * The usage to record for a finished stream: what the provider reported, or else an estimate from
 * the request and the text that was streamed (keeping exact input counts the provider had already
 * sent, e.g. Anthropic's `message_start`).
 */
export function streamUsage(
  kind: ApiKind,
  requestBody: unknown,
  summary: StreamSummary,
): { usage: TokenUsage; estimated: boolean } {
  if (summary.usage) return { usage: summary.usage, estimated: false };
  const model = summary.model ?? asString(asObject(requestBody)?.model) ?? '';
  const count = counter(model, false);
  const output = count(summary.outputText) + count(summary.extraOutputText);
  const partial = summary.partialUsage;
  if (partial) {
    return { usage: { ...partial, outputTokens: Math.max(partial.outputTokens, output) }, estimated: true };
  }
  return {
    usage: {
      inputTokens: estimateInputTokens(kind, requestBody),
      outputTokens: output,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 0,
    },
    estimated: true,
  };
}

function objects(value: unknown): Json[] {
  if (!Array.isArray(value)) return [];
  const out: Json[] = [];
  for (const item of value) {
    const object = asObject(item);
    if (object) out.push(object);
  }
  return out;
}

function chatMessagesTokens(messages: unknown, count: Count): number {
  const list = objects(messages);
  if (list.length === 0) return 0;
  let total = REPLY_PRIMING;
  for (const message of list) total += TOKENS_PER_MESSAGE + chatMessageTokens(message, count);
  return total;
}

function chatMessageTokens(message: Json, count: Count): number {
  let total = 0;
  for (const [key, value] of Object.entries(message)) {
    if (typeof value === 'string') {
      total += count(value);
      if (key === 'name') total += TOKENS_PER_NAME;
    } else if (key === 'content') {
      total += contentPartsTokens(value, count);
    } else if (key === 'tool_calls') {
      for (const call of objects(value)) total += functionCallTokens(asObject(call.function), count);
    } else if (key === 'function_call') {
      total += functionCallTokens(asObject(value), count);
    }
  }
  return total;
}

function functionCallTokens(fn: Json | null, count: Count): number {
  if (!fn) return 0;
  return TOKENS_PER_MESSAGE + count(asString(fn.name) ?? '') + count(asString(fn.arguments) ?? '');
}

/** OpenAI content parts (chat and Responses): text counted, images at a fixed size. */
function contentPartsTokens(parts: unknown, count: Count): number {
  let total = 0;
  for (const part of objects(parts)) {
    const text = asString(part.text) ?? asString(part.refusal);
    if (text !== null) total += count(text);
    else if (part.type === 'image_url' || part.type === 'input_image') {
      const detail = asString(asObject(part.image_url)?.detail) ?? asString(part.detail);
      total += detail === 'low' ? OPENAI_IMAGE_LOW : OPENAI_IMAGE;
    }
  }
  return total;
}

interface FunctionTool {
  name: string;
  description: string;
  parameters: Json | null;
}

function chatTools(body: Json): FunctionTool[] {
  const tools = objects(body.tools).map((tool) => asObject(tool.function));
  const legacy = objects(body.functions);
  return [...tools, ...legacy].filter((fn): fn is Json => fn !== null).map(toFunctionTool);
}

function responsesTools(tools: unknown): FunctionTool[] {
  return objects(tools)
    .filter((tool) => tool.type === 'function')
    .map(toFunctionTool);
}

function toFunctionTool(fn: Json): FunctionTool {
  return {
    name: asString(fn.name) ?? '',
    description: asString(fn.description) ?? '',
    parameters: asObject(fn.parameters),
  };
}

/** Function definitions, per the OpenAI cookbook's formula (exact for flat parameter schemas). */
function functionToolsTokens(tools: FunctionTool[], count: Count, model: string): number {
  if (tools.length === 0) return 0;
  const functionStart = encodingForModel(model) === 'o200k_base' ? 7 : 10;
  let total = 12; // end of the functions section
  for (const tool of tools) {
    total += functionStart + count(`${tool.name}:${withoutFinalDot(tool.description)}`);
    const properties = Object.entries(asObject(tool.parameters?.properties) ?? {});
    if (properties.length > 0) total += 3;
    for (const [key, raw] of properties) {
      const property = asObject(raw) ?? {};
      total += 3;
      if (Array.isArray(property.enum)) {
        total -= 3;
        for (const item of property.enum) total += 3 + count(String(item));
      }
      const type = typeof property.type === 'string' ? property.type : JSON.stringify(property.type ?? '');
      total += count(`${key}:${type}:${withoutFinalDot(asString(property.description) ?? '')}`);
    }
  }
  return total;
}

function withoutFinalDot(text: string): string {
  return text.endsWith('.') ? text.slice(0, -1) : text;
}

/** A structured-output JSON schema, counted as its JSON text (an approximation). */
function schemaTokens(schema: unknown, count: Count): number {
  return schema === undefined || schema === null ? 0 : count(JSON.stringify(schema));
}

function responsesInputTokens(body: Json, count: Count): number {
  let total = REPLY_PRIMING;
  const instructions = asString(body.instructions);
  if (instructions !== null) total += TOKENS_PER_MESSAGE + count('developer') + count(instructions);
  const input = body.input;
  if (typeof input === 'string') return total + TOKENS_PER_MESSAGE + count('user') + count(input);
  for (const item of objects(input)) total += TOKENS_PER_MESSAGE + responsesItemTokens(item, count);
  return total;
}

function responsesItemTokens(item: Json, count: Count): number {
  switch (item.type) {
    case 'function_call':
    case 'custom_tool_call':
      return count(asString(item.name) ?? '') + count(asString(item.arguments) ?? asString(item.input) ?? '');
    case 'function_call_output':
    case 'custom_tool_call_output':
      return typeof item.output === 'string' ? count(item.output) : contentPartsTokens(item.output, count);
    case 'reasoning':
      return objects(item.summary).reduce((sum, part) => sum + count(asString(part.text) ?? ''), 0);
    default: {
      // A message, with or without `type: "message"`.
      const role = count(asString(item.role) ?? '');
      const content = item.content;
      return role + (typeof content === 'string' ? count(content) : contentPartsTokens(content, count));
    }
  }
}

/** Embeddings `input` / completions `prompt`: a string, strings, token ids, or arrays of token ids. */
function promptTokens(prompt: unknown, count: Count): number {
  if (typeof prompt === 'string') return count(prompt);
  if (!Array.isArray(prompt)) return 0;
  let total = 0;
  for (const item of prompt) {
    if (typeof item === 'string') total += count(item);
    else if (typeof item === 'number') total += 1;
    else if (Array.isArray(item)) total += item.length;
  }
  return total;
}

function anthropicInputTokens(body: Json, count: Count): number {
  let total = REPLY_PRIMING;
  const system = body.system;
  total += typeof system === 'string' ? count(system) : anthropicBlocksTokens(system, count);
  for (const message of objects(body.messages)) {
    const content = message.content;
    total +=
      TOKENS_PER_MESSAGE +
      (typeof content === 'string' ? count(content) : anthropicBlocksTokens(content, count));
  }
  const tools = objects(body.tools);
  for (const tool of tools) {
    total +=
      count(asString(tool.name) ?? '') +
      count(asString(tool.description) ?? '') +
      (tool.input_schema === undefined ? 0 : count(JSON.stringify(tool.input_schema)));
  }
  if (tools.length > 0) total += ANTHROPIC_TOOL_PROMPT;
  return total;
}

function anthropicBlocksTokens(blocks: unknown, count: Count): number {
  let total = 0;
  for (const block of objects(blocks)) {
    switch (block.type) {
      case 'text':
        total += count(asString(block.text) ?? '');
        break;
      case 'thinking':
        total += count(asString(block.thinking) ?? '');
        break;
      case 'image':
        total += ANTHROPIC_IMAGE;
        break;
      case 'tool_use':
        total += count(asString(block.name) ?? '') + count(JSON.stringify(block.input ?? {}));
        break;
      case 'tool_result':
        total +=
          typeof block.content === 'string'
            ? count(block.content)
            : anthropicBlocksTokens(block.content, count);
        break;
      case 'document': {
        const source = asObject(block.source);
        if (source?.type === 'text') total += count(asString(source.data) ?? '');
        else if (source?.type === 'content') total += anthropicBlocksTokens(source.content, count);
        break;
      }
    }
  }
  return total;
}
