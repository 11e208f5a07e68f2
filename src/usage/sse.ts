/**
 * Watches a streaming (SSE) response on its way to the client: forwards each event's original text
 * as soon as it is complete, and collects usage, identity and generated text for the usage record.
 *
 * Usage sources: OpenAI chat/completions send a final usage chunk (`choices: []`) when
 * `stream_options.include_usage` is set, which the proxy may hide from a client that did not ask for
 * it; the Responses API sends it in `response.completed` (also `.incomplete`/`.failed`); Anthropic
 * splits it across `message_start` (input and cache fields) and `message_delta` (cumulative output,
 * sometimes input and cache fields again: the latest value wins, never a sum).
 */
import type { ApiKind } from './endpoints.js';
import {
  type AnthropicRawUsage,
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
import { createSseFramer, type SseFields } from './sse-framer.js';

export interface StreamSummary {
  /** Final usage as the provider reported it; null when the stream ended before that. */
  usage: TokenUsage | null;
  /**
   * What the provider had reported when the stream ended without final usage (Anthropic's
   * `message_start`: exact input and cache counts, provisional output). Null otherwise.
   */
  partialUsage: TokenUsage | null;
  model: string | null;
  systemFingerprint: string | null;
  responseId: string | null;
  /** The assistant's visible text (first choice), for estimation and replay display. */
  outputText: string;
  /**
   * Other generated text that is billed as output: tool-call arguments, reasoning or thinking text,
   * choices after the first. Only for estimating an interrupted stream.
   */
  extraOutputText: string;
  /** The stream reached its normal end (`[DONE]`, `response.completed`, `message_stop`...). */
  sawTerminalEvent: boolean;
  /** The message of an error event in the stream, if any. */
  error: string | null;
}

export interface StreamObserverOptions {
  /** Drop the OpenAI usage-only chunk (the client did not ask for `include_usage`). */
  hideUsageOnlyChunk: boolean;
}

export interface StreamObserver {
  /** Upstream bytes in; the complete events to forward now out (original text). */
  push(chunk: Uint8Array): string;
  /** End of stream: the unterminated remainder to forward, and the summary. */
  end(): { tail: string; summary: StreamSummary };
}

type Accumulator = (fields: SseFields, data: Json | null, state: StreamState) => boolean;

interface StreamState extends Omit<StreamSummary, 'usage' | 'partialUsage'> {
  usage: TokenUsage | null;
  anthropic: AnthropicRawUsage;
  anthropicFinal: boolean;
}

export function createStreamObserver(kind: ApiKind, options: StreamObserverOptions): StreamObserver {
  const state: StreamState = {
    usage: null,
    anthropic: EMPTY_ANTHROPIC_USAGE,
    anthropicFinal: false,
    model: null,
    systemFingerprint: null,
    responseId: null,
    outputText: '',
    extraOutputText: '',
    sawTerminalEvent: false,
    error: null,
  };
  const accumulate = accumulatorFor(kind, options);
  const framer = createSseFramer((fields) => {
    if (fields.data === null) return true;
    return accumulate(fields, parseJson(fields.data), state);
  });
  return {
    push: (chunk) => framer.push(chunk),
    end() {
      const tail = framer.end();
      const { anthropic, anthropicFinal, usage, ...rest } = state;
      const summary: StreamSummary = { ...rest, usage, partialUsage: null };
      if (kind === 'anthropic.messages') {
        const reported = anthropicUsage(anthropic);
        summary.usage = anthropicFinal ? reported : null;
        summary.partialUsage = anthropicFinal ? null : reported;
      }
      return { tail, summary };
    },
  };
}

function parseJson(data: string): Json | null {
  // Cheap pre-check: `[DONE]` and keep-alives are not objects.
  if (data.charCodeAt(0) !== 123 /* '{' */) return null;
  try {
    return asObject(JSON.parse(data));
  } catch {
    return null;
  }
}

function accumulatorFor(kind: ApiKind, options: StreamObserverOptions): Accumulator {
  switch (kind) {
    case 'openai.chat':
    case 'openai.completions':
    case 'openai.embeddings':
      return (fields, data, state) => openaiChunk(kind, options, fields, data, state);
    case 'openai.responses':
      return responsesEvent;
    case 'anthropic.messages':
      return anthropicEvent;
  }
}

function identify(state: StreamState, source: Json | null): void {
  if (!source) return;
  state.model = asString(source.model) ?? state.model;
  state.responseId = asString(source.id) ?? state.responseId;
  state.systemFingerprint = asString(source.system_fingerprint) ?? state.systemFingerprint;
}

function errorMessage(value: unknown): string | null {
  const error = asObject(value);
  return error ? (asString(error.message) ?? asString(error.type) ?? 'error') : null;
}

function openaiChunk(
  kind: ApiKind,
  options: StreamObserverOptions,
  fields: SseFields,
  chunk: Json | null,
  state: StreamState,
): boolean {
  if (fields.data === '[DONE]') {
    state.sawTerminalEvent = true;
    return true;
  }
  if (!chunk) return true;
  identify(state, chunk);
  state.error = errorMessage(chunk.error) ?? state.error;
  const usage = openaiChatUsage(chunk.usage);
  if (usage) state.usage = usage;
  const choices = Array.isArray(chunk.choices) ? chunk.choices : null;
  if (choices) {
    for (const raw of choices) {
      const choice = asObject(raw);
      if (choice) collectChoiceText(kind, choice, state);
    }
  }
  const usageOnly = choices?.length === 0 && asObject(chunk.usage) !== null;
  return !(usageOnly && options.hideUsageOnlyChunk);
}

function collectChoiceText(kind: ApiKind, choice: Json, state: StreamState): void {
  const first = (choice.index ?? 0) === 0;
  const append = (text: unknown, visible: boolean) => {
    if (typeof text !== 'string') return;
    if (visible && first) state.outputText += text;
    else state.extraOutputText += text;
  };
  if (kind === 'openai.completions') {
    append(choice.text, true);
    return;
  }
  const delta = asObject(choice.delta);
  if (!delta) return;
  append(delta.content, true);
  append(delta.refusal, true);
  append(delta.reasoning_content, false); // OpenAI-compatible servers' reasoning stream
  if (Array.isArray(delta.tool_calls)) {
    for (const call of delta.tool_calls) {
      const fn = asObject(asObject(call)?.function);
      append(fn?.name, false);
      append(fn?.arguments, false);
    }
  }
}

const RESPONSES_TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);
const RESPONSES_VISIBLE_DELTAS = new Set(['response.output_text.delta', 'response.refusal.delta']);
const RESPONSES_EXTRA_DELTAS = new Set([
  'response.function_call_arguments.delta',
  'response.custom_tool_call_input.delta',
  'response.reasoning_text.delta',
  'response.reasoning_summary_text.delta',
]);

function responsesEvent(fields: SseFields, event: Json | null, state: StreamState): boolean {
  if (!event) return true;
  const type = asString(event.type) ?? fields.event;
  if (type === null) return true;
  const response = asObject(event.response);
  if (response) {
    identify(state, response);
    const usage = openaiResponsesUsage(response.usage);
    if (usage) state.usage = usage;
    state.error = errorMessage(response.error) ?? state.error;
  }
  if (RESPONSES_TERMINAL.has(type)) state.sawTerminalEvent = true;
  else if (RESPONSES_VISIBLE_DELTAS.has(type)) state.outputText += asString(event.delta) ?? '';
  else if (RESPONSES_EXTRA_DELTAS.has(type)) state.extraOutputText += asString(event.delta) ?? '';
  else if (type === 'error') state.error = asString(event.message) ?? errorMessage(event.error) ?? 'error';
  return true;
}

function anthropicEvent(fields: SseFields, event: Json | null, state: StreamState): boolean {
  if (!event) return true;
  switch (asString(event.type) ?? fields.event) {
    case 'message_start': {
      const message = asObject(event.message);
      identify(state, message);
      state.anthropic = mergeAnthropicUsage(state.anthropic, message?.usage);
      break;
    }
    case 'content_block_start': {
      const block = asObject(event.content_block);
      if (block?.type === 'text') state.outputText += asString(block.text) ?? '';
      else if (block?.type === 'tool_use') state.extraOutputText += asString(block.name) ?? '';
      break;
    }
    case 'content_block_delta': {
      const delta = asObject(event.delta);
      if (delta?.type === 'text_delta') state.outputText += asString(delta.text) ?? '';
      else if (delta?.type === 'thinking_delta') state.extraOutputText += asString(delta.thinking) ?? '';
      else if (delta?.type === 'input_json_delta')
        state.extraOutputText += asString(delta.partial_json) ?? '';
      break;
    }
    case 'message_delta':
      if (asObject(event.usage)) {
        state.anthropic = mergeAnthropicUsage(state.anthropic, event.usage);
        state.anthropicFinal = true;
      }
      break;
    case 'message_stop':
      state.sawTerminalEvent = true;
      break;
    case 'error':
      state.error = errorMessage(event.error) ?? 'error';
      break;
  }
  return true;
}
