/**
 * OTLP/HTTP export of one span per call (`telemetry.otlpEndpoint`), with the official SDK: a tracer
 * provider of our own (nothing is registered globally), a batch span processor with a bounded
 * queue (spans beyond it are dropped, never waited for) and the OTLP/HTTP JSON exporter, which
 * also honours OTEL_EXPORTER_OTLP_HEADERS for collectors that want an API key. A collector that is
 * down costs a logged warning (at most one a minute), never a delayed or failed call.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { LLMDEV_VERSION } from '../../meta/index.js';
import type { UsageRecord } from '../../usage/record.js';
import type { Logger } from '../log.js';
import { genAiSpan } from './genai-span.js';

export interface OtlpOptions {
  /** e.g. http://collector:4318/v1/traces */
  endpoint: string;
  project: string;
  log: Logger;
  /** Spans waiting for export; more are dropped (default 2048). */
  maxQueueSize?: number;
  /** How often a batch is sent (default 1000 ms). */
  scheduledDelayMs?: number;
}

export interface OtlpExport {
  observe(records: readonly UsageRecord[]): void;
  /** Sends what is queued (bounded wait), then stops. */
  close(): Promise<void>;
}

const WARN_EVERY_MS = 60_000;
const EXPORT_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 3000;

export function startOtlpExport(options: OtlpOptions): OtlpExport {
  const exporter = reportingFailures(
    new OTLPTraceExporter({ url: options.endpoint, timeoutMillis: EXPORT_TIMEOUT_MS }),
    options,
  );
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'llmdev-sidecar',
      'service.version': LLMDEV_VERSION,
      'llmdev.project': options.project,
    }),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        maxQueueSize: options.maxQueueSize ?? 2048,
        maxExportBatchSize: 512,
        scheduledDelayMillis: options.scheduledDelayMs ?? 1000,
        exportTimeoutMillis: EXPORT_TIMEOUT_MS,
      }),
    ],
  });
  const tracer = provider.getTracer('llmdev', LLMDEV_VERSION);

  return {
    observe(records) {
      for (const record of records) {
        const span = genAiSpan(record);
        const otelSpan = tracer.startSpan(span.name, {
          kind: SpanKind.CLIENT,
          startTime: span.start,
          attributes: span.attributes,
        });
        if (span.error !== null) otelSpan.setStatus({ code: SpanStatusCode.ERROR, message: span.error });
        otelSpan.end(span.end);
      }
    },
    async close() {
      // Shutdown exports what is queued; a collector that does not answer must not hold up the
      // sidecar's exit (Docker kills it 10 s after SIGTERM).
      const timeout = new Promise((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref());
      await Promise.race([provider.shutdown().catch(() => undefined), timeout]);
    },
  };
}

/** The exporter, logging failed exports (rate-limited) instead of the SDK's silent diag channel. */
function reportingFailures(exporter: SpanExporter, { endpoint, log }: OtlpOptions): SpanExporter {
  let lastWarning = Number.NEGATIVE_INFINITY;
  let failedSinceWarning = 0;
  return {
    export(spans, done) {
      exporter.export(spans, (result) => {
        // ExportResultCode.SUCCESS is 0 (@opentelemetry/core).
        if (result.code !== 0) {
          failedSinceWarning += spans.length;
          const now = Date.now();
          if (now - lastWarning >= WARN_EVERY_MS) {
            log.warn('OTLP export failed; spans dropped', {
              endpoint: withoutCredentials(endpoint),
              spans: failedSinceWarning,
              error: result.error?.message,
            });
            lastWarning = now;
            failedSinceWarning = 0;
          }
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}

/** A URL's userinfo (user:password@) may be a credential: never logged. */
function withoutCredentials(endpoint: string): string {
  const url = new URL(endpoint);
  url.username = '';
  url.password = '';
  return url.href;
}
