// @ts-check
// biome-ignore-all lint/correctness/noUnusedVariables: the script files share one scope (see state.js)
/** The spend cards, tokens by type, budget bars and the footer. */

function renderCards() {
  const range = RANGES[state.range]?.label ?? state.range;
  setText('range-label', `(${range})`);
  setText('range-label-cache', `(${range})`);
  for (const [id, totals] of /** @type {const} */ ([
    ['spend-today', state.today],
    ['spend-month', state.month],
  ])) {
    if (!totals) continue;
    const figure = byId(id, HTMLElement);
    figure.textContent = costText(totals);
    figure.classList.toggle('unpriced', figure.textContent === 'unpriced');
    const calls = `${integer.format(totals.requests)} ${totals.requests === 1 ? 'call' : 'calls'}`;
    setText(`${id}-note`, [calls, unpricedNote(totals)].filter(Boolean).join(' · '));
  }
  const period = state.period;
  if (!period) return;
  setText('requests', integer.format(period.requests));
  const notes = [];
  if (period.errorRequests > 0) notes.push(`${integer.format(period.errorRequests)} failed`);
  if (period.estimatedRequests > 0)
    notes.push(`${integer.format(period.estimatedRequests)} with estimated tokens`);
  notes.push(`cost ${costText(period)}`);
  setText('requests-note', notes.join(' · '));
  setText('saved', formatUsd(period.savedUsd));
  setText(
    'saved-note',
    period.savedUsd > 0 ? 'answered from the response cache at no cost' : 'no cache hits',
  );
}

function renderTokens() {
  const totals = state.period;
  if (!totals) return;
  const rows = [
    ['Input (total)', totals.inputTokens],
    ['Cached input', totals.cachedInputTokens],
    ['Cache writes', totals.cacheWriteTokens],
    ['Output (total)', totals.outputTokens],
    ['Reasoning', totals.reasoningTokens],
  ];
  const max = Math.max(1, totals.inputTokens, totals.outputTokens);
  const container = byId('tokens', HTMLElement);
  container.replaceChildren(
    ...rows.map(([label, count]) =>
      h(
        'div',
        { class: 'bar-row' },
        h('span', {}, String(label)),
        bar(
          [{ value: Number(count) / max, kind: 'used' }],
          `${label}: ${integer.format(Number(count))} tokens`,
        ),
        h('span', { class: 'value' }, integer.format(Number(count))),
      ),
    ),
    h(
      'p',
      { class: 'muted small' },
      'Cached input and cache writes are part of input; reasoning is part of output.',
    ),
  );
}

/** @param {{budgets?: Budget[]} | null} body */
function renderBudgets(body) {
  const container = byId('budgets', HTMLElement);
  const budgets = body?.budgets ?? [];
  if (budgets.length === 0) {
    container.replaceChildren(
      h(
        'p',
        { class: 'muted' },
        'No budgets configured. Add ',
        h('code', {}, 'budgets:'),
        ' to llmdev.config.yaml.',
      ),
    );
    return;
  }
  container.replaceChildren(
    ...budgets.map((budget) => {
      const limit = budget.limitUsd > 0 ? budget.limitUsd : 1;
      const over = budget.level === 'exceeded';
      const resets = budget.resetsAt
        ? `resets ${new Date(budget.resetsAt).toLocaleString()}`
        : 'never resets';
      const label = `${budget.name}: ${formatUsd(budget.spentUsd)} spent and ${formatUsd(budget.reservedUsd)} reserved of ${formatUsd(budget.limitUsd)}`;
      return h(
        'div',
        { class: 'budget' },
        h(
          'div',
          { class: 'budget-head' },
          h('strong', {}, budget.name),
          h(
            'span',
            { class: over ? 'error' : budget.level === 'warning' ? 'warn' : '' },
            `${formatUsd(budget.spentUsd)} of ${formatUsd(budget.limitUsd)} · ${formatUsd(Math.max(0, budget.remainingUsd))} left`,
          ),
        ),
        bar(
          [
            { value: budget.spentUsd / limit, kind: over ? 'over' : 'used' },
            { value: budget.reservedUsd / limit, kind: 'reserved' },
          ],
          label,
        ),
        h(
          'div',
          { class: 'muted small' },
          `${PERIODS[budget.period] ?? budget.period} · ${budget.action === 'block' ? 'blocks calls over the limit' : 'warns only'} · ${resets}` +
            (budget.reservedUsd > 0 ? ` · ${formatUsd(budget.reservedUsd)} reserved by calls in flight` : ''),
        ),
      );
    }),
  );
}

async function renderFooter() {
  try {
    const health = await (await fetch('/healthz', { cache: 'no-store' })).json();
    const providers = Object.entries(health.providers ?? {}).map(([name, mode]) => `${name}: ${mode}`);
    setText('footer', [`llmdev ${health.version}`, ...providers].join(' · '));
  } catch {
    setText('footer', '');
  }
}
