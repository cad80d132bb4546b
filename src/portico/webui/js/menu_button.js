// @ts-check
// A menu button, as the WAI-ARIA Authoring Practices describe it: Enter, Space or ArrowDown
// opens the menu on its first item, ArrowUp on its last; the arrows, Home and End move between
// items; Escape closes it and gives focus back to the button; Tab or a click elsewhere closes it.
import { h, uid } from './dom.js';

const ITEM = '[role^="menuitem"]';

// An item that does something.
export const menuItem = (text, onSelect) => h('button', { type: 'button', role: 'menuitem', tabindex: '-1', text, onclick: onSelect });

// A labelled group of choices, one of them checked (language, theme).
export function menuChoices(label, choices, current, onSelect) {
  return h('div', { role: 'group', 'aria-label': label },
    h('div', { class: 'hint', 'aria-hidden': 'true', text: label }),
    choices.map(([value, text]) => h('button', {
      type: 'button', role: 'menuitemradio', tabindex: '-1', 'aria-checked': String(value === current),
      onclick: () => onSelect(value),
    }, h('span', { class: 'tick', 'aria-hidden': 'true', text: value === current ? '✓' : '' }), text)));
}

// `build()` makes the popup's content afresh at each opening: a header (not focusable) and items.
export function menuButton({ label, content, build }) {
  const id = uid('menu');
  const button = h('button', {
    type: 'button', class: 'iconbtn', 'aria-label': label, 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': id,
  }, content);
  const wrapper = h('div', { class: 'menu-anchor' }, button);
  let popup = null;

  const items = () => [...popup.querySelectorAll(ITEM)];
  function focusItem(index) {
    const all = items();
    all[(index + all.length) % all.length]?.focus();
  }
  function onOutside(event) {
    if (!wrapper.contains(event.target)) close();
  }
  function open(at = 0) {
    if (popup) return focusItem(at);
    const { header, items: children } = build(close);
    popup = h('div', { class: 'menu' }, header || null,
      h('div', { role: 'menu', id, 'aria-label': label, onkeydown: onMenuKey, onfocusout: onFocusOut }, children));
    wrapper.append(popup);
    button.setAttribute('aria-expanded', 'true');
    document.addEventListener('pointerdown', onOutside, true);
    focusItem(at);
  }
  function close({ refocus = false } = {}) {
    if (!popup) return;
    popup.remove();
    popup = null;
    button.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', onOutside, true);
    if (refocus) button.focus();
  }
  function onMenuKey(event) {
    const all = items();
    const at = all.indexOf(document.activeElement);
    const moves = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: all.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      focusItem(moves[event.key]);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close({ refocus: true });
    } else if (event.key === 'Tab') {
      close();
    }
  }
  function onFocusOut(event) {
    if (popup && event.relatedTarget && !wrapper.contains(event.relatedTarget)) close();
  }
  button.addEventListener('click', () => (popup ? close() : open(0)));
  button.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      open(event.key === 'ArrowDown' ? 0 : -1);
    }
  });
  return { node: wrapper, close, unmount: () => close() };
}
