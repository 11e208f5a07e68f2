// @ts-check
// biome-ignore-all lint/correctness/noUnusedVariables: the script files share one scope (see state.js)
/**
 * DOM helpers: elements by id, element and SVG builders, horizontal bars. Nothing is ever
 * rendered from HTML text.
 */

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{new (): T, prototype: T}} type
 * @returns {T}
 */
function byId(id, type) {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`dashboard: #${id} is missing`);
  return node;
}

/**
 * @param {string} tag
 * @param {Record<string, string>} [attributes]
 * @param {...(Node | string)} children
 */
function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/**
 * @param {string} tag
 * @param {Record<string, string | number>} [attributes]
 * @param {...Node} children
 */
function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

/** @param {string} text */
function svgTitle(text) {
  const title = document.createElementNS(SVG_NS, 'title');
  title.textContent = text;
  return title;
}

/** @param {string} id @param {string} text */
function setText(id, text) {
  byId(id, HTMLElement).textContent = text;
}

/**
 * A horizontal bar: segments as fractions (0–1) of the track, drawn in SVG so no inline style is needed.
 * @param {{value: number, kind: string}[]} segments
 * @param {string} label
 */
function bar(segments, label) {
  const node = svg('svg', {
    class: 'bar',
    viewBox: '0 0 100 10',
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': label,
  });
  node.append(svg('rect', { class: 'track', x: 0, y: 0, width: 100, height: 10, rx: 2 }));
  let x = 0;
  for (const segment of segments) {
    const width = Math.max(0, Math.min(100 - x, segment.value * 100));
    if (width > 0) node.append(svg('rect', { class: segment.kind, x, y: 0, width, height: 10 }));
    x += width;
  }
  return node;
}
