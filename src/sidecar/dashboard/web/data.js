// @ts-check
// biome-ignore-all lint/correctness/noUnusedVariables: the script files share one scope (see state.js)
/**
 * Loading from the sidecar API, and live updates: the `GET /v1/events` stream read with fetch
 * (the token stays in a header), polling while the stream is down, totals kept current in between.
 */

/**
 * GET a sidecar API path with the token; null when the route does not exist (404).
 * @param {string} path
 * @returns {Promise<any>}
 */
async function api(path) {
  const response = await fetch(path, {
    headers: { authorization: `Bearer ${state.token}` },
    cache: 'no-store',
  });
  if (response.status === 401) throw new Unauthorized('The sidecar did not accept the token');
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

async function refreshAll() {
  if (state.refreshTimer !== null) clearTimeout(state.refreshTimer);
  state.refreshTimer = null;
  state.lastRefresh = Date.now();
  const range = RANGES[state.range] ?? { label: state.range, bucket: 'day' };
  const now = new Date();
  const today = utcDay(now);
  try {
    const [todaySummary, monthSummary, periodSummary, series, budgets, page] = await Promise.all([
      api(`/v1/usage/summary?since=${today}`),
      api(`/v1/usage/summary?since=${today.slice(0, 8)}01`),
      api(`/v1/usage/summary?since=${state.range}`),
      api(`/v1/usage/series?since=${state.range}&bucket=${range.bucket}`),
      api('/v1/budgets'),
      api(`/v1/usage/records?limit=${MAX_RECORDS}&since=${state.range}`),
    ]);
    state.today = /** @type {Summary} */ (todaySummary).totals;
    state.month = /** @type {Summary} */ (monthSummary).totals;
    state.period = /** @type {Summary} */ (periodSummary).totals;
    state.records = /** @type {{records: UsageRecord[]}} */ (page).records;
    state.missed = false;
    renderCards();
    renderTokens();
    renderChart(/** @type {Series} */ (series));
    renderBudgets(budgets);
    renderFilters();
    renderTable();
  } catch (error) {
    handleFailure(error);
  }
}

/** Reload everything within `delay` ms (one reload however many records arrive meanwhile). */
function scheduleRefresh(delay = REFRESH_AFTER_LIVE_MS) {
  if (state.refreshTimer !== null) return;
  state.refreshTimer = setTimeout(() => {
    state.refreshTimer = null;
    void refreshAll();
  }, delay);
}

/** @param {unknown} error */
function handleFailure(error) {
  if (error instanceof Unauthorized) {
    signOut(
      'The sidecar no longer accepts this token (was .secrets/llmdev_token recreated?). Sign in again.',
    );
    return;
  }
  setLive('offline', 'sidecar unreachable, retrying…');
  console.warn('llmdev dashboard:', error);
}

/** @param {'on' | 'polling' | 'offline'} mode @param {string} text */
function setLive(mode, text) {
  const live = byId('live', HTMLElement);
  live.className = `live ${mode}`;
  setText('live-text', text);
}

async function connectLive(attempt = 0) {
  const controller = new AbortController();
  state.events = controller;
  try {
    const response = await fetch('/v1/events', {
      headers: { authorization: `Bearer ${state.token}`, accept: 'text/event-stream' },
      cache: 'no-store',
      signal: controller.signal,
    });
    if (response.status === 401) throw new Unauthorized('The sidecar did not accept the token');
    if (!response.ok || response.body === null) throw new Error(`/v1/events: HTTP ${response.status}`);
    stopPolling();
    setLive('on', 'live');
    if (state.missed) void refreshAll();
    attempt = 0;
    await readEvents(response.body, onEvent);
    throw new Error('the live stream ended');
  } catch (error) {
    if (controller.signal.aborted) return;
    if (error instanceof Unauthorized) {
      handleFailure(error);
      return;
    }
    state.missed = true;
    startPolling();
    const delay = Math.min(30_000, 1000 * 2 ** attempt);
    setTimeout(() => {
      if (state.events === controller) void connectLive(attempt + 1);
    }, delay);
  }
}

/**
 * Server-Sent Events from a fetch body: blocks separated by a blank line, `event:` and `data:` fields.
 * @param {ReadableStream<Uint8Array>} body
 * @param {(event: string, data: string) => void} handle
 */
async function readEvents(body, handle) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) handle(event, data.join('\n'));
    }
  }
}

/** @param {string} event @param {string} data */
function onEvent(event, data) {
  if (event !== 'record') return;
  addLiveRecords([/** @type {UsageRecord} */ (JSON.parse(data))]);
}

/** Records that arrived live (stream or poll), oldest first. @param {UsageRecord[]} records */
function addLiveRecords(records) {
  const known = new Set(state.records.map((record) => record.id));
  const added = records.filter((record) => !known.has(record.id));
  if (added.length === 0) return;
  const today = `${utcDay(new Date())}T`;
  const monthStart = `${today.slice(0, 8)}01T`;
  for (const record of added) {
    state.records.unshift(record);
    state.fresh.add(record.id);
    if (state.today && record.ts >= today) addToTotals(state.today, record);
    if (state.month && record.ts >= monthStart) addToTotals(state.month, record);
    if (state.period) addToTotals(state.period, record);
  }
  state.records.sort((a, b) => (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0));
  state.records.length = Math.min(state.records.length, MAX_RECORDS);
  renderCards();
  renderTokens();
  renderFilters();
  renderTable();
  scheduleRefresh();
}

/** @param {Totals} totals @param {UsageRecord} record */
function addToTotals(totals, record) {
  totals.requests += 1;
  totals.inputTokens += record.usage.inputTokens;
  totals.outputTokens += record.usage.outputTokens;
  totals.cachedInputTokens += record.usage.cachedInputTokens;
  totals.cacheWriteTokens += record.usage.cacheWriteTokens;
  totals.reasoningTokens += record.usage.reasoningTokens;
  if (record.costUsd === null) totals.unpricedRequests += 1;
  else totals.costUsd += record.costUsd;
  totals.savedUsd += record.savedUsd ?? 0;
  if (record.estimated) totals.estimatedRequests += 1;
  if (record.status >= 400) totals.errorRequests += 1;
}

function startPolling() {
  setLive('polling', 'polling every 5 s');
  if (state.poll !== null) return;
  state.poll = setInterval(async () => {
    try {
      const page = await api('/v1/usage/records?limit=50');
      addLiveRecords([.../** @type {{records: UsageRecord[]}} */ (page).records].reverse());
      if (Date.now() - state.lastRefresh > STALE_MS) void refreshAll();
    } catch (error) {
      handleFailure(error);
    }
  }, POLL_MS);
}

function stopPolling() {
  if (state.poll !== null) clearInterval(state.poll);
  state.poll = null;
}
