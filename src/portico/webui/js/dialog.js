// @ts-check
// An accessible modal: focus moves in, stays in, and returns to where it was.
import { h } from './dom.js';

const FOCUSABLE = 'a[href],button:not([disabled]),input:not([disabled]),select,textarea,[tabindex]:not([tabindex="-1"])';

/**
 * @param {import('./dom.js').Children} content
 * @param {{ label?: string, closable?: boolean, wide?: boolean, onClose?: () => void }} [options]
 * @returns {() => void} what closes it
 */
export function openDialog(content, { label, closable = true, wide = false, onClose } = {}) {
  const opener = /** @type {HTMLElement | null} */ (document.activeElement);
  const box = h('div', { class: `card dialog${wide ? ' wide' : ''}`, role: 'dialog', 'aria-modal': 'true', 'aria-label': label }, content);
  const backdrop = h('div', { class: 'backdrop' }, box);
  // Everything behind the dialog is inert while it is open: not focusable, not clickable, and
  // out of the accessibility tree, as a modal's background should be.
  const behind = /** @type {HTMLElement[]} */ ([...document.body.children]).filter((el) => !el.inert);
  function close() {
    behind.forEach((el) => { el.inert = false; });
    backdrop.remove();
    document.removeEventListener('keydown', onKey, true);
    if (opener && opener.isConnected) opener.focus();
    if (onClose) onClose();
  }
  /** @param {KeyboardEvent} event */
  function onKey(event) {
    if (event.key === 'Escape' && closable) {
      event.preventDefault();
      close();
    } else if (event.key === 'Tab') {
      const items = [...box.querySelectorAll(/** @type {'a'} */ (FOCUSABLE))];
      if (!items.length) return;
      const first = items[0];
      const last = items[items.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      } else if (!box.contains(document.activeElement)) {
        event.preventDefault();
        first.focus();
      }
    }
  }
  document.addEventListener('keydown', onKey, true);
  behind.forEach((el) => { el.inert = true; });
  document.body.append(backdrop);
  const first = /** @type {HTMLElement | null} */ (box.querySelector('[autofocus]') || box.querySelector(FOCUSABLE));
  if (first) first.focus();
  return close;
}

export const dialogOpen = () => document.querySelector('[role="dialog"]') !== null;

/**
 * A dialog's buttons: Cancel beside the main one, kept in view while the dialog scrolls.
 * @param {string} cancelText
 * @param {() => void} onCancel
 * @param {HTMLElement | null} primary
 */
export function dialogActions(cancelText, onCancel, primary) {
  return h('div', { class: 'actions sticky' }, h('button', { type: 'button', text: cancelText, onclick: onCancel }), primary);
}

/**
 * Ask before something that cannot be undone; resolves true only for the confirming button.
 * @param {{ title: string, text: string, confirm: string, cancel: string }} words
 * @returns {Promise<boolean>}
 */
export function confirmDialog({ title, text, confirm, cancel }) {
  return new Promise((resolve) => {
    let answer = false;
    /** @type {() => void} */
    let close = () => {};
    const yes = h('button', { type: 'button', class: 'primary danger', text: confirm, onclick: () => { answer = true; close(); } });
    const no = h('button', { type: 'button', text: cancel, autofocus: true, onclick: () => close() });
    close = openDialog([h('h2', { text: title }), h('p', { text }), h('div', { class: 'actions' }, no, yes)],
      { label: title, onClose: () => resolve(answer) });
  });
}
