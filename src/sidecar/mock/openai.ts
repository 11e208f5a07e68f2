/**
 * The mock's OpenAI wire formats: chat completions, legacy completions, the Responses API (JSON and
 * SSE event sequences as the API sends them), embeddings and the models list.
 */
import { createHash } from 'node:crypto';
import { streamPieces } from './reply.js';

type Json = Record<string, unknown>;

export interface MockTurn {
  id: string;
  model: string;
  created: number;
  text: string;
  inputTokens: number;
  outputTokens: number;
}

export const sseEvent = (data: unknown, event?: string): string =>
  `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

function chatUsage(turn: MockTurn): Json {
  return {
    prompt_tokens: turn.inputTokens,
    completion_tokens: turn.outputTokens,
    total_tokens: turn.inputTokens + turn.outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export function chatCompletion(turn: MockTurn): Json {
  return {
    id: `chatcmpl-${turn.id}`,
    object: 'chat.completion',
    created: turn.created,
    model: turn.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: turn.text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: chatUsage(turn),
    system_fingerprint: 'fp_llmdev_mock',
  };
}

export function chatStream(turn: MockTurn, includeUsage: boolean): string[] {
  const chunk = (choices: Json[], usage: Json | null = null) => ({
    id: `chatcmpl-${turn.id}`,
    object: 'chat.completion.chunk',
    created: turn.created,
    model: turn.model,
    system_fingerprint: 'fp_llmdev_mock',
    choices,
    ...(includeUsage ? { usage } : {}),
  });
  const choice = (delta: Json, finish: string | null = null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finish,
  });
  const events = [
    sseEvent(chunk([choice({ role: 'assistant', content: '', refusal: null })])),
    ...streamPieces(turn.text).map((content) => sseEvent(chunk([choice({ content })]))),
    sseEvent(chunk([choice({}, 'stop')])),
  ];
  if (includeUsage) events.push(sseEvent(chunk([], chatUsage(turn))));
  events.push(sseEvent('[DONE]'));
  return events;
}

export function completion(turn: MockTurn): Json {
  return {
    id: `cmpl-${turn.id}`,
    object: 'text_completion',
    created: turn.created,
    model: turn.model,
    choices: [{ text: turn.text, index: 0, logprobs: null, finish_reason: 'stop' }],
    usage: chatUsage(turn),
  };
}

export function completionStream(turn: MockTurn, includeUsage: boolean): string[] {
  const chunk = (choices: Json[], usage?: Json) => ({
    id: `cmpl-${turn.id}`,
    object: 'text_completion',
    created: turn.created,
    model: turn.model,
    choices,
    ...(usage ? { usage } : {}),
  });
  const pieces = streamPieces(turn.text);
  const events = pieces.map((text, i) =>
    sseEvent(
      chunk([{ text, index: 0, logprobs: null, finish_reason: i === pieces.length - 1 ? 'stop' : null }]),
    ),
  );
  if (includeUsage) events.push(sseEvent(chunk([], chatUsage(turn))));
  events.push(sseEvent('[DONE]'));
  return events;
}

function responseObject(turn: MockTurn, request: Json, done: boolean): Json {
  return {
    id: `resp_${turn.id}`,
    object: 'response',
    created_at: turn.created,
    status: done ? 'completed' : 'in_progress',
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: turn.model,
    output: done ? [messageItem(turn, true)] : [],
    parallel_tool_calls: true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    store: request.store ?? true,
    temperature: request.temperature ?? 1,
    text: request.text ?? { format: { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_p: request.top_p ?? 1,
    truncation: 'disabled',
    usage: done
      ? {
          input_tokens: turn.inputTokens,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: turn.outputTokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: turn.inputTokens + turn.outputTokens,
        }
      : null,
    user: null,
    metadata: request.metadata ?? {},
  };
}

const outputText = (text: string) => ({ type: 'output_text', text, annotations: [], logprobs: [] });

function messageItem(turn: MockTurn, done: boolean): Json {
  return {
    id: `msg_${turn.id}`,
    type: 'message',
    status: done ? 'completed' : 'in_progress',
    role: 'assistant',
    content: done ? [outputText(turn.text)] : [],
  };
}

export function response(turn: MockTurn, request: Json): Json {
  return responseObject(turn, request, true);
}

export function responseStream(turn: MockTurn, request: Json): string[] {
  let sequence = 0;
  const event = (type: string, fields: Json) =>
    sseEvent({ type, sequence_number: sequence++, ...fields }, type);
  const at = { item_id: `msg_${turn.id}`, output_index: 0, content_index: 0 };
  return [
    event('response.created', { response: responseObject(turn, request, false) }),
    event('response.in_progress', { response: responseObject(turn, request, false) }),
    event('response.output_item.added', { output_index: 0, item: messageItem(turn, false) }),
    event('response.content_part.added', { ...at, part: outputText('') }),
    ...streamPieces(turn.text).map((delta) =>
      event('response.output_text.delta', { ...at, delta, logprobs: [] }),
    ),
    event('response.output_text.done', { ...at, text: turn.text, logprobs: [] }),
    event('response.content_part.done', { ...at, part: outputText(turn.text) }),
    event('response.output_item.done', { output_index: 0, item: messageItem(turn, true) }),
    event('response.completed', { response: responseObject(turn, request, true) }),
  ];
}

const DEFAULT_DIMENSIONS = 1536;

/** One deterministic unit vector per input (seeded by its text), as floats or base64 float32. */
export function embeddings(turn: MockTurn, request: Json): Json {
  const input = request.input;
  const inputs: unknown[] = Array.isArray(input) && typeof input[0] !== 'number' ? input : [input];
  const dimensions = typeof request.dimensions === 'number' ? request.dimensions : DEFAULT_DIMENSIONS;
  const base64 = request.encoding_format === 'base64';
  return {
    object: 'list',
    data: inputs.map((item, index) => {
      const vector = unitVector(JSON.stringify(item), dimensions);
      return {
        object: 'embedding',
        index,
        embedding: base64 ? Buffer.from(vector.buffer).toString('base64') : Array.from(vector),
      };
    }),
    model: turn.model,
    usage: { prompt_tokens: turn.inputTokens, total_tokens: turn.inputTokens },
  };
}

function unitVector(seed: string, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  let block = createHash('sha256').update(seed).digest();
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    if (i % 32 === 0 && i > 0) block = createHash('sha256').update(block).digest();
    const value = ((block[i % 32] as number) - 127.5) / 127.5;
    vector[i] = value;
    norm += value * value;
  }
  const scale = 1 / Math.sqrt(norm || 1);
  for (let i = 0; i < dimensions; i++) vector[i] = (vector[i] as number) * scale;
  return vector;
}

const MOCK_OPENAI_MODELS = [
  'gpt-4.1',
  'gpt-4.1-mini',
  'gpt-4o',
  'gpt-4o-mini',
  'o4-mini',
  'text-embedding-3-small',
];

const model = (id: string, created: number): Json => ({
  id,
  object: 'model',
  created,
  owned_by: 'llmdev-mock',
});

export function modelsList(created: number): Json {
  return { object: 'list', data: MOCK_OPENAI_MODELS.map((id) => model(id, created)) };
}

/** `GET /v1/models/{id}`: the mock serves any model id, as it does for calls. */
export function modelInfo(id: string, created: number): Json {
  return model(id, created);
}
