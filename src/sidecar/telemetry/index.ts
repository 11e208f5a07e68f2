/**
 * The sidecar's telemetry as configured (`telemetry` in llmdev.config.yaml): Prometheus metrics at
 * `GET /metrics` (unless `metrics: false`) and OTLP span export (when `otlpEndpoint` is set; the
 * OpenTelemetry SDK is only loaded then). Both read committed records through the commit observers.
 */
import type { Config } from '../../config/schema.js';
import type { Route } from '../http/router.js';
import type { Logger } from '../log.js';
import type { BudgetGaugeSource, CacheStats, TeamGaugeSource } from './metrics.js';
import type { CommitObservers } from './observers.js';

export interface TelemetryOptions {
  config: Config;
  log: Logger;
  observers: CommitObservers;
  budgets?: () => readonly BudgetGaugeSource[];
  cacheStats?: () => CacheStats;
  team?: () => TeamGaugeSource;
}

export interface Telemetry {
  routes: Route[];
  /** Exports the spans still queued (bounded wait), then stops. */
  close(): Promise<void>;
}

export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  const { config, log, observers } = options;
  const routes: Route[] = [];
  if (config.telemetry.metrics) {
    const { createMetrics } = await import('./metrics.js');
    const metrics = createMetrics({
      ...(options.budgets ? { budgets: options.budgets } : {}),
      ...(options.cacheStats ? { cacheStats: options.cacheStats } : {}),
      ...(options.team ? { team: options.team } : {}),
    });
    observers.add((records) => metrics.observe(records));
    routes.push({ method: 'GET', path: '/metrics', format: 'openai', handler: metrics.handler });
  }
  let close: () => Promise<void> = async () => {};
  if (config.telemetry.otlpEndpoint !== undefined) {
    const { startOtlpExport } = await import('./otlp.js');
    const otlp = startOtlpExport({
      endpoint: config.telemetry.otlpEndpoint,
      project: config.project.name,
      log,
    });
    observers.add((records) => otlp.observe(records));
    close = () => otlp.close();
  }
  return { routes, close: () => close() };
}
