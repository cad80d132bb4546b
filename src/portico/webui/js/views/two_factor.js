// @ts-check
// Setting up an authenticator app: the QR code and the key as text, one code to confirm, then
// the recovery codes, shown this once. Used from the profile, and from the log-in dialog when the
// service requires a second factor.
import { h, field, message } from '../dom.js';
import { t } from '../i18n.js';
import { dialogActions, openDialog } from '../dialog.js';
import { problemText } from '../errors.js';

// The server makes the QR code (an SVG); it is shown as an image, never as markup in the page.
function qrImage(svg) {
  const src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  return h('img', { class: 'qr', src, alt: t('tf.qrAlt'), width: 180, height: 180 });
}

/**
 * @param {string} labelText
 * @param {Record<string, any>} [attrs]
 */
export function codeInput(labelText, attrs = {}) {
  return field(labelText, {
    type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 32,
    spellcheck: 'false', autocapitalize: 'off', ...attrs,
  });
}

/** @typedef {import('../api.js').Answer} Answer */

/**
 * Enrol an authenticator app: its QR code, then a code from it. `begin()` and `confirm(code)`
 * call the server.
 * @param {{
 *   begin: () => Promise<Answer>,
 *   confirm: (code: string) => Promise<Answer>,
 *   onDone: () => void,
 *   onCancel?: () => void,
 * }} steps
 * @returns {Promise<{ status: number, data?: any, cancelled?: boolean }>}
 */
export async function enrolmentDialog({ begin, confirm, onDone, onCancel }) {
  const { status, data } = await begin();
  if (status !== 200) return { status, data };
  const out = h('div');
  const [codeLabel, code] = codeInput(t('tf.code'), { autofocus: true, 'aria-describedby': 'tf-code-hint' });
  const go = h('button', { type: 'submit', class: 'primary', text: t('tf.confirm') });
  let close;
  const form = h('form', {
    novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      if (!code.value.trim()) return out.replaceChildren(message('error', t('tf.codeHint')));
      go.disabled = true;
      try {
        const answer = await confirm(code.value.trim());
        if (answer.status === 200) {
          close();
          return recoveryCodesDialog(answer.data.recovery_codes, onDone);
        }
        const text = answer.status === 401 ? t('tf.wrongCode') : problemText(answer.status, answer.data);
        out.replaceChildren(message('error', text));
      } catch {
        out.replaceChildren(message('error', t('login.unreachable')));
      } finally {
        go.disabled = false;
      }
    },
  },
  h('h2', { text: t('tf.setupTitle') }),
  h('p', { text: t('tf.scan') }),
  h('div', { class: 'qr-row' }, qrImage(data.qr_svg),
    h('div', {}, h('p', { class: 'hint', text: t('tf.secret') }), h('code', { class: 'secret', text: data.secret.match(/.{1,4}/g).join(' ') }))),
  codeLabel, code, h('p', { class: 'hint', id: 'tf-code-hint', text: t('tf.codeHint') }), out,
  dialogActions(t('signup.cancel'), () => { close(); if (onCancel) onCancel(); }, go));
  close = openDialog(form, { label: t('tf.setupTitle'), closable: false });
  return { status };
}

export function recoveryCodesDialog(codes, onDone) {
  const text = codes.join('\n');
  const copied = h('span', { class: 'hint', 'aria-live': 'polite' });
  const download = h('a', {
    class: 'button', download: 'recovery-codes.txt', text: t('tf.download'),
    href: `data:text/plain;charset=utf-8,${encodeURIComponent(`${text}\n`)}`,
  });
  const copy = h('button', {
    type: 'button', text: t('tf.copy'),
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(text);
        copied.textContent = t('admin.copied');
      } catch {
        copied.textContent = '';
      }
    },
  });
  let close;
  const saved = h('button', { type: 'button', class: 'primary', text: t('tf.saved'), onclick: () => { close(); onDone(); } });
  close = openDialog([
    h('h2', { text: t('tf.codesTitle') }),
    h('p', { text: t('tf.codesText') }),
    h('ol', { class: 'recovery-codes', 'aria-label': t('tf.codesTitle') }, codes.map((c) => h('li', {}, h('code', { text: c })))),
    h('div', { class: 'row' }, copy, download, copied),
    h('div', { class: 'actions' }, saved),
  ], { label: t('tf.codesTitle'), closable: false });
}
