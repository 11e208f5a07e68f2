/**
 * Replication of the local usage log to the team's PostgreSQL. The source (usage.db's outbox) is
 * the durable queue; this loop only moves it: read a batch, INSERT ... ON CONFLICT (id) DO NOTHING
 * in one PostgreSQL transaction, then acknowledge the batch locally. A crash between the two
 * commits resends the batch and the conflict clause drops the copies: each record lands exactly
 * once. While PostgreSQL is unreachable the loop retries with backoff and the backlog waits on
 * disk; commits wake the loop, they never wait for it.
 */
import type { UsageRecord } from '../usage/record.js';
import type { TeamPool } from './connect.js';
import { TEAM_COLUMNS, toTeamRow, withoutNul } from './rows.js';

export interface ReplicationSource {
  next(limit: number): {
    entries: { record: UsageRecord; requestBody: string | null }[];
    expired: number;
    lastSeq: number;
  };
  acknowledge(lastSeq: number): void;
  backlog(): number;
  oldest(): string | null;
}

export type ReplicationState = 'connecting' | 'ok' | 'unreachable';

export interface ReplicationStatus {
  state: ReplicationState;
  /** user@host:port/database */
  server: string;
  member: string;
  /** Records stored locally and not yet in PostgreSQL. */
  backlog: number;
  /** ts of the oldest of them. */
  oldestPending: string | null;
  /** Records this process sent to PostgreSQL (including ones already there). */
  replicated: number;
  /** Records that retention deleted locally before they could be sent. */
  expired: number;
  /** Records PostgreSQL refused as data (logged and skipped, never retried forever). */
  rejected: number;
  lastError: { message: string; hint: string | undefined } | null;
  lastSuccessAt: string | null;
}

export interface ReplicatorLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface ReplicatorOptions {
  source: ReplicationSource;
  /** Opens the pool: reads the password, checks the schema; throws a TeamError that says what to fix. */
  connect: () => Promise<TeamPool>;
  server: string;
  member: string;
  shareBodies: boolean;
  log: ReplicatorLog;
  batchSize?: number;
  /** Wait after a commit before sending, so bursts go in one batch. */
  coalesceMs?: number;
  /** Retry delays after a failure: doubling from `min` up to `max`. */
  retryMs?: { min: number; max: number };
  now?: () => Date;
}

export interface Replicator {
  /** New records were committed locally. */
  wake(): void;
  status(): ReplicationStatus;
  /** Sends everything queued now; rejects when PostgreSQL fails (tests, benches, shutdown). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

const INSERT_RECORDS = `INSERT INTO team_usage_records (${TEAM_COLUMNS.join(', ')})
  SELECT ${TEAM_COLUMNS.join(', ')} FROM json_populate_recordset(NULL::team_usage_records, $1::json)
  ON CONFLICT (id) DO NOTHING`;
const INSERT_BODIES = `INSERT INTO team_request_bodies (record_id, member, body)
  SELECT record_id, member, body FROM json_populate_recordset(NULL::team_request_bodies, $1::json)
  ON CONFLICT (record_id) DO NOTHING`;

/** SQLSTATE class 22 (data exception) or a check violation: this record will never go in. */
const isDataError = (error: unknown) => {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code === '23514');
};

export function createReplicator(options: ReplicatorOptions): Replicator {
  const { source, log, member } = options;
  const batchSize = options.batchSize ?? 1000;
  const coalesceMs = options.coalesceMs ?? 20;
  const retry = options.retryMs ?? { min: 1000, max: 30_000 };
  const now = options.now ?? (() => new Date());
  let pool: TeamPool | undefined;
  let state: ReplicationState = 'connecting';
  let lastError: ReplicationStatus['lastError'] = null;
  let lastSuccessAt: string | null = null;
  let counts = { replicated: 0, expired: 0, rejected: 0 };
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let delay = retry.min;
  let closed = false;

  const send = async (target: TeamPool, entries: ReturnType<ReplicationSource['next']>['entries']) => {
    const rows = entries.map((entry) => toTeamRow(entry.record, member));
    const bodies = options.shareBodies
      ? entries.flatMap(({ record, requestBody }) =>
          requestBody === null ? [] : [{ record_id: record.id, member, body: withoutNul(requestBody) }],
        )
      : [];
    const client = await target.connect();
    // A checked-out client whose server goes away emits 'error'; unheard, it would crash the sidecar.
    const ignore = () => undefined;
    client.on('error', ignore);
    try {
      await client.query('BEGIN');
      await client.query(INSERT_RECORDS, [JSON.stringify(rows)]);
      if (bodies.length > 0) await client.query(INSERT_BODIES, [JSON.stringify(bodies)]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', ignore);
      client.release();
    }
  };

  /** A batch PostgreSQL refuses as data: send one record at a time and skip the ones it refuses. */
  const sendSingly = async (target: TeamPool, entries: ReturnType<ReplicationSource['next']>['entries']) => {
    for (const entry of entries) {
      try {
        await send(target, [entry]);
      } catch (error) {
        if (!isDataError(error)) throw error;
        counts.rejected++;
        log.warn('team database refused a usage record; it stays in the local log only', {
          id: entry.record.id,
          error: (error as Error).message,
        });
      }
    }
  };

  const cycle = async () => {
    if (!pool) pool = await options.connect();
    for (;;) {
      const batch = source.next(batchSize);
      if (batch.lastSeq === 0) return;
      if (batch.entries.length > 0) {
        try {
          await send(pool, batch.entries);
        } catch (error) {
          if (!isDataError(error)) throw error;
          await sendSingly(pool, batch.entries);
        }
      }
      source.acknowledge(batch.lastSeq);
      counts = {
        ...counts,
        replicated: counts.replicated + batch.entries.length,
        expired: counts.expired + batch.expired,
      };
      lastSuccessAt = now().toISOString();
    }
  };

  const fail = async (error: unknown) => {
    const hint = (error as { hint?: string }).hint;
    const raw = error instanceof Error ? error.message : String(error);
    // Connection errors arrive explained (TeamError, naming the server); query errors do not.
    const message = raw.startsWith(options.server) ? raw : `${options.server}: ${raw}`;
    if (state !== 'unreachable' || lastError?.message !== message) {
      log.warn('team database unavailable: records stay queued locally and are sent when it answers', {
        error: message,
        hint,
        backlog: source.backlog(),
      });
    }
    state = 'unreachable';
    lastError = { message, hint };
    // Reconnect from scratch next time: the password file or the server may have changed.
    const broken = pool;
    pool = undefined;
    await broken?.end().catch(() => undefined);
  };

  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await cycle();
          if (state !== 'ok') log.info('team database replication running', { server: options.server });
          state = 'ok';
          lastError = null;
          delay = retry.min;
        } catch (error) {
          await fail(error);
          if (!closed) schedule(delay);
          delay = Math.min(delay * 2, retry.max);
          return;
        }
      } while (again && !closed);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  function schedule(ms: number) {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void run();
    }, ms);
    timer.unref();
  }

  schedule(0); // the backlog left by an earlier run

  return {
    wake() {
      // During a backoff the retry timer is already set; otherwise gather a burst, then send.
      if (state === 'unreachable') return;
      if (running) again = true;
      else schedule(coalesceMs);
    },
    status: () => ({
      state,
      server: options.server,
      member,
      backlog: source.backlog(),
      oldestPending: source.oldest(),
      ...counts,
      lastError,
      lastSuccessAt,
    }),
    async drain() {
      await running;
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      await run();
      if (state !== 'ok') throw new Error(lastError?.message ?? 'team replication failed');
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await running;
      await pool?.end().catch(() => undefined);
      pool = undefined;
    },
  };
}
