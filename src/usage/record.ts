/**
 * The usage record: one LLM call, as the sidecar stores it and as clients in direct mode report it.
 * Token counts follow the provider-neutral convention below; cost is null when the model is
 * unpriced (never a silent 0).
 */
import { z } from 'zod';

const count = z.number().int().min(0);

/**
 * Token counts of one call. `inputTokens` is the total input INCLUDING cached reads and cache
 * writes; `outputTokens` includes reasoning tokens. The other fields are breakdowns of those two,
 * and `cacheWrite1hTokens` is the part of `cacheWriteTokens` written with Anthropic's 1-hour TTL
 * (priced higher than the default 5-minute writes). (OpenAI already reports this way; Anthropic's
 * input_tokens excludes cache reads/writes, so its extractor adds them.)
 */
export const tokenUsageSchema = z.strictObject({
  inputTokens: count,
  outputTokens: count,
  cachedInputTokens: count.default(0),
  cacheWriteTokens: count.default(0),
  cacheWrite1hTokens: count.default(0),
  reasoningTokens: count.default(0),
});
export type TokenUsage = z.output<typeof tokenUsageSchema>;

export const PROVIDERS = ['openai', 'anthropic'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Where a record came from. */
export const RECORD_SOURCES = ['proxy', 'mock', 'cache', 'ingest'] as const;
export type RecordSource = (typeof RECORD_SOURCES)[number];

/** Sampling parameters kept for reproducibility. */
export const requestParamsSchema = z
  .object({
    temperature: z.number().optional(),
    top_p: z.number().optional(),
    seed: z.number().int().optional(),
    max_tokens: z.number().int().optional(),
  })
  .catchall(z.unknown());
export type RequestParams = z.output<typeof requestParamsSchema>;

const tags = z
  .record(z.string().min(1).max(64), z.string().max(256))
  .refine((t) => Object.keys(t).length <= 32, {
    error: 'at most 32 tags',
  });

/** What a client in direct mode sends to `POST /v1/usage` (one record or `{ records: [...] }`). */
export const ingestRecordSchema = z.strictObject({
  /** Client-chosen id makes retries idempotent: a record with a known id is not stored twice. */
  id: z.string().min(1).max(128).optional(),
  ts: z.iso.datetime({ offset: true }).optional(),
  provider: z.enum(PROVIDERS),
  model: z.string().min(1).max(256),
  endpoint: z.string().min(1).max(256).default('direct'),
  stream: z.boolean().default(false),
  usage: tokenUsageSchema,
  latencyMs: z.number().min(0).optional(),
  ttfbMs: z.number().min(0).optional(),
  status: z.number().int().min(100).max(599).default(200),
  error: z.string().max(4096).optional(),
  estimated: z.boolean().default(false),
  tags: tags.default({}),
  prompt: z
    .string()
    .regex(/^[^@\s]+@[^@\s]+$/, { error: 'expected name@version' })
    .optional(),
  params: requestParamsSchema.optional(),
  systemFingerprint: z.string().max(256).optional(),
  /** The model the provider said it used, when it differs from (e.g. is a snapshot of) `model`. */
  responseModel: z.string().min(1).max(256).optional(),
});
export type IngestRecord = z.output<typeof ingestRecordSchema>;

export const ingestBodySchema = z.union([
  ingestRecordSchema,
  z.strictObject({ records: z.array(ingestRecordSchema).min(1).max(1000) }),
]);

/** A stored usage record. */
export interface UsageRecord {
  id: string;
  /** ISO-8601 UTC time the call started. */
  ts: string;
  provider: Provider;
  model: string;
  /** API path, e.g. `/v1/chat/completions`; `direct` for ingested records without one. */
  endpoint: string;
  stream: boolean;
  source: RecordSource;
  usage: TokenUsage;
  /** USD; null when the model has no price (unknown model, never a silent 0). */
  costUsd: number | null;
  /** USD not spent because the response came from the cache. */
  savedUsd: number | null;
  /** Which price data priced it, e.g. `genai-prices@0.1.8` or `override`. */
  pricingSource: string | null;
  latencyMs: number | null;
  ttfbMs: number | null;
  /** HTTP status returned to the client. */
  status: number;
  error: string | null;
  /** Tokens were estimated (stream ended without usage, or mock provider). */
  estimated: boolean;
  tags: Record<string, string>;
  promptName: string | null;
  promptVersion: string | null;
  params: RequestParams;
  systemFingerprint: string | null;
  /** The provider's request id, when it sent one. */
  upstreamRequestId: string | null;
  /** The model the provider said it used (e.g. `gpt-4o-2024-08-06` for `gpt-4o`); null when unknown. */
  responseModel: string | null;
}
