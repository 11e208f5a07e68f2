/**
 * The Postgres schema of team budgets: one row per budget window (spent and reserved USD), the
 * reservations of calls in flight (each with a lease its sidecar renews), and the settled call ids
 * (so a retried settlement counts once). Reserve and settle are SQL functions, so each is one round
 * trip and one transaction.
 */

/** How much a figure may exceed a limit by float residue of the caller's sums (as in the local books). */
const EPSILON_USD = '0.000000000001';

/**
 * Shaped as an entry of the team migrations list (src/team/migrations.ts, which numbers it): the SQL
 * and the table privileges a member's role needs (the functions run with the caller's rights).
 */
export const TEAM_BUDGETS_MIGRATION = {
  description: 'team budgets: windows, leased reservations, settlements',
  grants: [
    { table: 'team_budget_windows', privileges: ['SELECT', 'INSERT', 'UPDATE'] },
    { table: 'team_budget_reservations', privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] },
    { table: 'team_budget_settlements', privileges: ['SELECT', 'INSERT', 'DELETE'] },
  ],
  sql: `
CREATE TABLE team_budget_windows (
  budget       text        NOT NULL,
  subject      text        NOT NULL,
  window_start timestamptz NOT NULL,
  spent_usd    numeric     NOT NULL DEFAULT 0,
  reserved_usd numeric     NOT NULL DEFAULT 0,
  PRIMARY KEY (budget, subject, window_start)
);
CREATE TABLE team_budget_reservations (
  call_id      text        NOT NULL,
  budget       text        NOT NULL,
  subject      text        NOT NULL,
  window_start timestamptz NOT NULL,
  amount_usd   numeric     NOT NULL,
  owner        text        NOT NULL,
  expires_at   timestamptz NOT NULL,
  PRIMARY KEY (call_id, budget, subject, window_start)
);
CREATE INDEX team_budget_reservations_window
  ON team_budget_reservations (budget, subject, window_start, expires_at);
CREATE INDEX team_budget_reservations_owner ON team_budget_reservations (owner);
CREATE TABLE team_budget_settlements (
  call_id    text        PRIMARY KEY,
  settled_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX team_budget_settlements_age ON team_budget_settlements (settled_at);

-- Locks the windows of one call in key order (so sidecars never deadlock), creating missing ones,
-- and gives back what expired leases (calls of a dead sidecar) still held on them.
CREATE OR REPLACE FUNCTION team_budget_lock(p_budgets text[], p_subjects text[], p_windows timestamptz[])
RETURNS void LANGUAGE sql AS $$
  INSERT INTO team_budget_windows (budget, subject, window_start)
    SELECT b, s, w FROM unnest(p_budgets, p_subjects, p_windows) AS k(b, s, w) ORDER BY b, s, w
    ON CONFLICT DO NOTHING;
  SELECT 1 FROM team_budget_windows AS win
    JOIN unnest(p_budgets, p_subjects, p_windows) AS k(b, s, w)
      ON win.budget = k.b AND win.subject = k.s AND win.window_start = k.w
    ORDER BY win.budget, win.subject, win.window_start
    FOR UPDATE OF win;
  WITH expired AS (
    DELETE FROM team_budget_reservations AS r
      USING unnest(p_budgets, p_subjects, p_windows) AS k(b, s, w)
      WHERE r.budget = k.b AND r.subject = k.s AND r.window_start = k.w AND r.expires_at < now()
      RETURNING r.budget, r.subject, r.window_start, r.amount_usd
  ), freed AS (
    SELECT budget, subject, window_start, sum(amount_usd) AS amount FROM expired GROUP BY 1, 2, 3
  )
  UPDATE team_budget_windows AS win SET reserved_usd = greatest(0, win.reserved_usd - freed.amount)
    FROM freed
    WHERE win.budget = freed.budget AND win.subject = freed.subject AND win.window_start = freed.window_start;
$$;

-- Reserves p_amount on every window of a call, or nothing when a blocking one cannot take it.
-- Returns each window's figures (after the reservation when ok) and whether it refused the call.
CREATE OR REPLACE FUNCTION team_budget_reserve(
  p_call text, p_owner text, p_lease_seconds integer, p_amount numeric,
  p_budgets text[], p_subjects text[], p_windows timestamptz[], p_limits numeric[], p_blocking boolean[]
) RETURNS TABLE (budget_index integer, spent_usd numeric, reserved_usd numeric, refused boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  fits boolean;
BEGIN
  PERFORM team_budget_lock(p_budgets, p_subjects, p_windows);
  SELECT bool_and(NOT k.blocking OR win.spent_usd + win.reserved_usd + p_amount <= k.lim + ${EPSILON_USD})
    INTO fits
    FROM unnest(p_budgets, p_subjects, p_windows, p_limits, p_blocking) AS k(b, s, w, lim, blocking)
    JOIN team_budget_windows AS win
      ON win.budget = k.b AND win.subject = k.s AND win.window_start = k.w;
  IF fits THEN
    UPDATE team_budget_windows AS win SET reserved_usd = win.reserved_usd + p_amount
      FROM unnest(p_budgets, p_subjects, p_windows) AS k(b, s, w)
      WHERE win.budget = k.b AND win.subject = k.s AND win.window_start = k.w;
    INSERT INTO team_budget_reservations
        (call_id, budget, subject, window_start, amount_usd, owner, expires_at)
      SELECT p_call, b, s, w, p_amount, p_owner, now() + make_interval(secs => p_lease_seconds)
      FROM unnest(p_budgets, p_subjects, p_windows) AS k(b, s, w);
  END IF;
  RETURN QUERY
    SELECT (k.i - 1)::integer, win.spent_usd, win.reserved_usd,
           (NOT fits AND k.blocking AND win.spent_usd + win.reserved_usd + p_amount > k.lim + ${EPSILON_USD})
    FROM unnest(p_budgets, p_subjects, p_windows, p_limits, p_blocking)
      WITH ORDINALITY AS k(b, s, w, lim, blocking, i)
    JOIN team_budget_windows AS win
      ON win.budget = k.b AND win.subject = k.s AND win.window_start = k.w
    ORDER BY k.i;
END;
$$;

-- Settles a call once: its reservations are given back and its actual cost is spent on every
-- window it counts for (even when its lease has expired: the money was spent all the same).
CREATE OR REPLACE FUNCTION team_budget_settle(
  p_call text, p_cost numeric, p_budgets text[], p_subjects text[], p_windows timestamptz[]
) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO team_budget_settlements (call_id) VALUES (p_call) ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  PERFORM team_budget_lock(p_budgets, p_subjects, p_windows);
  WITH mine AS (
    DELETE FROM team_budget_reservations WHERE call_id = p_call
      RETURNING budget, subject, window_start, amount_usd
  )
  UPDATE team_budget_windows AS win
    SET reserved_usd = greatest(0, win.reserved_usd - coalesce(mine.amount_usd, 0)),
        spent_usd = win.spent_usd + p_cost
    FROM unnest(p_budgets, p_subjects, p_windows) AS k(b, s, w)
    LEFT JOIN mine ON mine.budget = k.b AND mine.subject = k.s AND mine.window_start = k.w
    WHERE win.budget = k.b AND win.subject = k.s AND win.window_start = k.w;
  RETURN true;
END;
$$;

-- The heartbeat of a live sidecar: its calls in flight keep their reservations.
CREATE OR REPLACE FUNCTION team_budget_renew(p_owner text, p_lease_seconds integer)
RETURNS integer LANGUAGE sql AS $$
  WITH renewed AS (
    UPDATE team_budget_reservations SET expires_at = now() + make_interval(secs => p_lease_seconds)
      WHERE owner = p_owner RETURNING 1
  )
  SELECT count(*)::integer FROM renewed;
$$;
`,
} as const;
