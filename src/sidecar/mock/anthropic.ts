/** The mock's Anthropic wire formats: messages (JSON and the SSE event sequence) and count_tokens. */
import { type MockTurn, sseEvent } from './openai.js';
import { streamPieces } from './reply.js';

type Json = Record<string, unknown>;

// The mock caches nothing, but reports every field the API does (the writes by TTL included).
const usage = (turn: MockTurn, outputTokens: number) => ({
  input_tokens: turn.inputTokens,
  cache_creation_input_tokens: 0,
  cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
  cache_read_input_tokens: 0,
  output_tokens: outputTokens,
  service_tier: 'standard',
});

function message(turn: MockTurn, done: boolean): Json {
  return {
    id: `msg_${turn.id}`,
    type: 'message',
    role: 'assistant',
    model: turn.model,
    content: done ? [{ type: 'text', text: turn.text }] : [],
    stop_reason: done ? 'end_turn' : null,
    stop_sequence: null,
    usage: usage(turn, done ? turn.outputTokens : 1),
  };
}

export function anthropicMessage(turn: MockTurn): Json {
  return message(turn, true);
}

export function anthropicStream(turn: MockTurn): string[] {
  const event = (type: string, fields: Json) => sseEvent({ type, ...fields }, type);
  return [
    event('message_start', { message: message(turn, false) }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    event('ping', {}),
    ...streamPieces(turn.text).map((text) =>
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
    ),
    event('content_block_stop', { index: 0 }),
    event('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: turn.outputTokens },
    }),
    event('message_stop', {}),
  ];
}

const MOCK_ANTHROPIC_MODELS = ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1'];

const model = (id: string, created: Date): Json => ({
  type: 'model',
  id,
  display_name: `${id} (llmdev mock)`,
  created_at: created.toISOString(),
});

export function anthropicModelsList(created: Date): Json {
  const data = MOCK_ANTHROPIC_MODELS.map((id) => model(id, created));
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

/** `GET /v1/models/{id}`: the mock serves any model id, as it does for calls. */
export function anthropicModelInfo(id: string, created: Date): Json {
  return model(id, created);
}
