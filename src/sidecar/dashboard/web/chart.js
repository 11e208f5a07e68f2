// @ts-check
// biome-ignore-all lint/correctness/noUnusedVariables: the script files share one scope (see state.js)
/** Cost over time by model: stacked SVG bars, a legend, and the same figures as a table. */

/** @param {Series} all */
function renderChart(all) {
  const chart = byId('chart', HTMLElement);
  const legend = byId('legend', HTMLElement);
  // Models without any priced cost get no bar and no legend entry; the note below names them.
  const costless = all.series.filter((series) => series.costUsd.every((cost) => cost === 0));
  const data = { ...all, series: all.series.filter((series) => !costless.includes(series)) };
  const n = data.starts.length;
  const totals = data.starts.map((_, i) => data.series.reduce((sum, s) => sum + (s.costUsd[i] ?? 0), 0));
  const requests = all.series.reduce((sum, s) => sum + s.requests.reduce((a, b) => a + b, 0), 0);
  const unpriced = all.series.reduce((sum, s) => sum + s.unpricedRequests.reduce((a, b) => a + b, 0), 0);
  const unpricedModels = all.series
    .filter((s) => s.unpricedRequests.some((count) => count > 0))
    .map((s) => s.model);
  const max = niceMax(Math.max(0, ...totals));
  const [width, height, left, right, top, bottom] = [760, 240, 64, 8, 10, 26];
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const step = plotWidth / Math.max(1, n);
  const per = data.bucket === 'hour' ? 'hour' : 'day';
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': `Stacked bars of cost per ${per} (UTC) by model; the table below the chart has the figures.`,
  });
  for (let tick = 0; tick <= 4; tick++) {
    const value = (max * tick) / 4;
    const y = top + plotHeight - (plotHeight * tick) / 4;
    root.append(svg('line', { class: 'axis', x1: left, x2: width - right, y1: y, y2: y }));
    const label = svg('text', { x: left - 6, y: y + 4, 'text-anchor': 'end' });
    label.textContent = formatAxisUsd(value);
    root.append(label);
  }
  const labelEvery = Math.max(1, Math.ceil(n / 8));
  data.starts.forEach((start, i) => {
    let y = top + plotHeight;
    data.series.forEach((series, k) => {
      const cost = series.costUsd[i] ?? 0;
      if (cost <= 0 || max === 0) return;
      const barHeight = (cost / max) * plotHeight;
      y -= barHeight;
      const rect = svg('rect', {
        class: `s${k % 8}`,
        x: left + i * step + step * 0.12,
        y,
        width: step * 0.76,
        height: barHeight,
      });
      rect.append(
        svgTitle(
          `${series.model}, ${bucketLabel(start, data.bucket)}: ${formatUsd(cost)} (${series.requests[i]} calls)`,
        ),
      );
      root.append(rect);
    });
    if (i % labelEvery === 0) {
      const label = svg('text', { x: left + i * step + step / 2, y: height - 8, 'text-anchor': 'middle' });
      label.textContent = bucketLabel(start, data.bucket);
      root.append(label);
    }
  });
  const empty = totals.every((total) => total === 0);
  const note = empty
    ? [
        h(
          'p',
          { class: 'muted small' },
          requests === 0
            ? 'No calls in this period yet.'
            : `No priced spend in this period (${integer.format(requests)} calls${unpriced > 0 ? `, ${integer.format(unpriced)} unpriced` : ''}).`,
        ),
      ]
    : unpriced > 0
      ? [
          h(
            'p',
            { class: 'small unpriced' },
            `${integer.format(unpriced)} unpriced ${unpriced === 1 ? 'call' : 'calls'} (${unpricedModels.join(', ')}) not in the chart: no known price.`,
          ),
        ]
      : [];
  chart.replaceChildren(root, ...note);
  legend.replaceChildren(
    ...data.series.map((series, k) =>
      h(
        'li',
        {},
        h('span', { class: `swatch s${k % 8}`, 'aria-hidden': 'true' }),
        series.model || '(no model)',
      ),
    ),
  );
  renderChartTable(data);
}

/** @param {Series} data */
function renderChartTable(data) {
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col' }, data.bucket === 'hour' ? 'Hour (UTC)' : 'Day (UTC)'),
    ...data.series.map((series) => h('th', { scope: 'col', class: 'num' }, series.model || '(no model)')),
  );
  const rows = data.starts.map((start, i) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, bucketLabel(start, data.bucket)),
      ...data.series.map((series) => h('td', { class: 'num' }, formatUsd(series.costUsd[i] ?? 0))),
    ),
  );
  byId('chart-table', HTMLElement).replaceChildren(
    h('table', {}, h('thead', {}, head), h('tbody', {}, ...rows)),
  );
}
