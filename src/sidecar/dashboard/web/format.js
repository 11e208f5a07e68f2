// @ts-check
// biome-ignore-all lint/correctness/noUnusedVariables: the script files share one scope (see state.js)
/** Formatting of dollars, counts, durations and times for the dashboard. */

const integer = new Intl.NumberFormat('en-US');

/** @param {number} usd */
function formatUsd(usd) {
  if (usd === 0) return '$0.00';
  const digits = usd < 0.01 ? 6 : usd < 1 ? 4 : 2;
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

/** Dollars on a chart axis: three significant digits at most. @param {number} usd */
function formatAxisUsd(usd) {
  return usd === 0 ? '$0' : `$${usd.toLocaleString('en-US', { maximumSignificantDigits: 3 })}`;
}

/** A total's cost; never "$0" for calls that have no price. @param {Totals} totals */
function costText(totals) {
  if (totals.requests > 0 && totals.unpricedRequests === totals.requests) return 'unpriced';
  return formatUsd(totals.costUsd);
}

/** @param {Totals} totals */
function unpricedNote(totals) {
  if (totals.unpricedRequests === 0) return '';
  const calls = totals.unpricedRequests === 1 ? 'call' : 'calls';
  return `${integer.format(totals.unpricedRequests)} unpriced ${calls} (no known price), not in the total`;
}

/** @param {number | null} ms */
function formatMs(ms) {
  if (ms === null) return '–';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** @param {string} iso */
function formatTime(iso) {
  const date = new Date(iso);
  const sameDay = date.toDateString() === new Date().toDateString();
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return sameDay ? time : `${date.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}`;
}

/** `YYYY-MM-DD` of a date in UTC. @param {Date} date */
function utcDay(date) {
  return date.toISOString().slice(0, 10);
}

/** @param {UsageRecord} record */
function recordCost(record) {
  return record.costUsd === null ? 'unpriced' : formatUsd(record.costUsd);
}

/** @param {string} iso @param {'hour' | 'day'} bucket */
function bucketLabel(iso, bucket) {
  return bucket === 'hour' ? `${iso.slice(11, 13)}:00` : iso.slice(5, 10);
}

/** A round axis maximum above `value`. @param {number} value */
function niceMax(value) {
  if (value <= 0) return 0;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const nice = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((m) => m * magnitude >= value) ?? 10;
  return nice * magnitude;
}
