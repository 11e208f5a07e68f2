/**
 * `POST /v1/usage`: usage reported by clients that call a provider directly (route: direct), one
 * record or `{records: [...]}`. Validated field by field (400 lists every problem with its path),
 * priced here with the same pricer as proxied calls, and answered 202 `{accepted, duplicates}` only
 * after the records are committed. A record whose client-chosen id is already stored is not stored
 * again, so a retried batch is safe.
 */
import { pathString } from '../../config/load.js';
import type { PriceQuote } from '../../pricing/index.js';
import { type IngestRecord, ingestBodySchema, type UsageRecord } from '../../usage/record.js';
import type { Handler } from '../http/context.js';
import { sendError, sendJson } from '../http/errors.js';
import type { RecordWriter } from '../store/writer.js';

const [singleSchema, batchSchema] = ingestBodySchema.options;

export interface IngestOptions {
  writer: RecordWriter;
  price: (record: IngestRecord, at: Date) => PriceQuote;
  newId: () => string;
  now: () => Date;
}

export function ingestHandler(options: IngestOptions): Handler {
  return async (ctx) => {
    const json = ctx.json as Record<string, unknown>;
    const parsed = 'records' in json ? batchSchema.safeParse(json) : singleSchema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({
        path: pathString(issue.path),
        message: issue.message,
      }));
      sendError(ctx.res, ctx.format, {
        status: 400,
        kind: 'invalid_request',
        code: 'invalid_usage_record',
        message: `Invalid usage record: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
        details: { issues },
      });
      return;
    }
    const inputs = 'records' in parsed.data ? parsed.data.records : [parsed.data];
    const now = options.now();
    const records = inputs.map((input) => ({ record: recordFromIngest(input, now, options) }));
    const result = await options.writer.write(records);
    sendJson(ctx.res, 202, JSON.stringify({ accepted: inputs.length, duplicates: result.duplicates }));
  };
}

export function recordFromIngest(
  input: IngestRecord,
  now: Date,
  { price, newId }: Pick<IngestOptions, 'price' | 'newId'>,
): UsageRecord {
  const at = input.ts === undefined ? now : new Date(input.ts);
  const quote = price(input, at);
  const [promptName, promptVersion] = input.prompt?.split('@') ?? [];
  return {
    id: input.id ?? newId(),
    ts: at.toISOString(),
    provider: input.provider,
    model: input.model,
    endpoint: input.endpoint,
    stream: input.stream,
    source: 'ingest',
    usage: input.usage,
    costUsd: quote.costUsd,
    savedUsd: null,
    pricingSource: quote.pricingSource,
    latencyMs: input.latencyMs ?? null,
    ttfbMs: input.ttfbMs ?? null,
    status: input.status,
    error: input.error ?? null, // redacted with everything else by the store (store/redacted.ts)
    estimated: input.estimated,
    tags: input.tags,
    promptName: promptName ?? null,
    promptVersion: promptVersion ?? null,
    params: input.params ?? {},
    systemFingerprint: input.systemFingerprint ?? null,
    upstreamRequestId: null,
    responseModel: input.responseModel ?? null,
  };
}
