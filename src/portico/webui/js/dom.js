// Tiny DOM helpers: every text goes in as text, never as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) {
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return el;
}

let counter = 0;
export const uid = (prefix) => `${prefix}-${++counter}`;

// A labelled input; returns [label, input] so forms stay flat and readable.
export function field(labelText, attrs) {
  const id = uid('f');
  return [h('label', { for: id, text: labelText }), h('input', { id, ...attrs })];
}

export function message(kind, text) {
  return h('p', { class: `msg ${kind}`, role: kind === 'error' ? 'alert' : 'status', text });
}

// The one view on screen. A view hands over what undoes it (listeners, timers) as `unmount`;
// mounting the next view runs it first, so nothing of an old view outlives it.
let unmountCurrent = null;
export function mount(node, { unmount } = {}) {
  if (unmountCurrent) unmountCurrent();
  unmountCurrent = unmount || null;
  document.getElementById('app').replaceChildren(node);
  return node;
}
