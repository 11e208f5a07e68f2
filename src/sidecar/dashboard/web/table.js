// @ts-check
// biome-ignore-all lint/correctness/noUnusedVariables: the script files share one scope (see state.js)
/** The table of recent requests and its filters (model, provider, status, tag, text). */

function renderFilters() {
  /** @param {string} id @param {string[]} values */
  const fill = (id, values) => {
    const select = byId(id, HTMLSelectElement);
    const current = select.value;
    const options = [...new Set(values)].sort();
    if (current && !options.includes(current)) options.unshift(current);
    select.replaceChildren(
      h('option', { value: '' }, 'All'),
      ...options.map((value) => h('option', { value }, value)),
    );
    select.value = current;
  };
  fill(
    'f-model',
    state.records.map((record) => record.model),
  );
  fill(
    'f-provider',
    state.records.map((record) => record.provider),
  );
}

/** @param {UsageRecord} record */
function matchesFilters(record) {
  const model = byId('f-model', HTMLSelectElement).value;
  const provider = byId('f-provider', HTMLSelectElement).value;
  const status = byId('f-status', HTMLSelectElement).value;
  const tag = byId('f-tag', HTMLInputElement).value.trim().toLowerCase();
  const text = byId('f-text', HTMLInputElement).value.trim().toLowerCase();
  if (model && record.model !== model) return false;
  if (provider && record.provider !== provider) return false;
  if (status === 'ok' && record.status >= 400) return false;
  if (status === 'error' && record.status < 400) return false;
  const tags = Object.entries(record.tags).map(([key, value]) => `${key}=${value}`.toLowerCase());
  if (tag && !tags.some((pair) => pair.includes(tag))) return false;
  if (text) {
    const prompt = record.promptName ? `${record.promptName}@${record.promptVersion}` : '';
    const haystack = [
      record.id,
      record.model,
      record.provider,
      record.endpoint,
      record.source,
      prompt,
      record.error ?? '',
      ...tags,
    ]
      .join(' ')
      .toLowerCase();
    if (!haystack.includes(text)) return false;
  }
  return true;
}

function renderTable() {
  const tbody = byId('records', HTMLTableElement).tBodies[0];
  if (!tbody) return;
  const shown = state.records.filter(matchesFilters);
  const rows = shown.slice(0, MAX_ROWS).map((record) => {
    const tokens = record.usage;
    const estimated = record.estimated ? ' ~' : '';
    /**
     * A token count, its breakdown (cached, reasoning) on a second, smaller line.
     * @param {number} count @param {number} part @param {string} what
     */
    const cell = (count, part, what) =>
      h(
        'td',
        { class: 'num', title: record.estimated ? 'estimated: the provider reported no usage' : '' },
        integer.format(count) + estimated,
        ...(part > 0 ? [h('span', { class: 'sub' }, `${integer.format(part)} ${what}`)] : []),
      );
    const ok = record.status < 400;
    const status = h('span', { class: `badge ${ok ? 'ok' : 'err'}` }, String(record.status));
    if (!ok && record.error) status.setAttribute('title', record.error);
    const row = h(
      'tr',
      { 'data-id': record.id },
      h('td', { title: record.ts }, formatTime(record.ts)),
      h('td', {}, record.provider),
      h('td', {}, record.model),
      cell(tokens.inputTokens, tokens.cachedInputTokens, 'cached'),
      cell(tokens.outputTokens, tokens.reasoningTokens, 'reasoning'),
      h('td', { class: `num${record.costUsd === null ? ' unpriced' : ''}` }, recordCost(record)),
      h('td', { class: 'num' }, formatMs(record.latencyMs)),
      h('td', {}, status),
      h(
        'td',
        {},
        ...Object.entries(record.tags).map(([key, value]) => h('span', { class: 'chip' }, `${key}=${value}`)),
      ),
      h('td', {}, record.promptName ? `${record.promptName}@${record.promptVersion}` : ''),
      h('td', {}, record.source),
    );
    if (state.fresh.has(record.id)) row.classList.add('fresh');
    return row;
  });
  state.fresh.clear();
  tbody.replaceChildren(...rows);
  const loaded = state.records.length;
  setText(
    'table-note',
    `${integer.format(Math.min(shown.length, MAX_ROWS))} shown of ${integer.format(shown.length)} matching, ` +
      `from the ${integer.format(loaded)} most recent calls (${RANGES[state.range]?.label ?? state.range}). ~ marks estimated tokens.`,
  );
}
