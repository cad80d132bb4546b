// @ts-check
// Tiny DOM helpers: every text goes in as text, never as HTML.

/** @typedef {Node | string | number | null | undefined | false} Child */

/** @typedef {Child | Child[] | Child[][]} Children */

/**
 * An element with its attributes, listeners (`on...`) and children.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any>} [attrs]
 * @param {...Children} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key in el && typeof value !== 'string') /** @type {any} */ (el)[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) {
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return el;
}

/**
 * The page's element with this id (an error if the page has none).
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el;
}

/**
 * The page's input with this id (an error if the page has none).
 * @param {string} id
 * @returns {HTMLInputElement}
 */
export function inputById(id) {
  const el = byId(id);
  if (!(el instanceof HTMLInputElement)) throw new Error(`#${id} is no input`);
  return el;
}

let counter = 0;
/** @param {string} prefix */
export const uid = (prefix) => `${prefix}-${++counter}`;

/**
 * A labelled input; returns [label, input] so forms stay flat and readable.
 * @param {string} labelText
 * @param {Record<string, any>} [attrs]
 * @returns {[HTMLElement, HTMLInputElement]}
 */
export function field(labelText, attrs) {
  const id = uid('f');
  return [h('label', { for: id, text: labelText }), h('input', { id, ...attrs })];
}

/**
 * A line of news for the person: `kind` 'error' (read out at once) or 'ok'.
 * @param {string} kind
 * @param {string} text
 */
export function message(kind, text) {
  return h('p', { class: `msg ${kind}`, role: kind === 'error' ? 'alert' : 'status', text });
}

// The one view on screen. A view hands over what undoes it (listeners, timers) as `unmount`;
// mounting the next view runs it first, so nothing of an old view outlives it.
/** @type {(() => void) | null} */
let unmountCurrent = null;
/**
 * @param {Node} node
 * @param {{ unmount?: () => void }} [view]
 */
export function mount(node, { unmount } = {}) {
  if (unmountCurrent) unmountCurrent();
  unmountCurrent = unmount || null;
  byId('app').replaceChildren(node);
  return node;
}
