// @ts-check
// Pieces shared by the views: the brand, a password field with its eye, live rule checks.
import { h, uid } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { call } from '../api.js';
import { openDialog } from '../dialog.js';
import { reasons } from '../errors.js';
import { eyeToggle } from './eye_toggle.js';

export const brand = () => h('p', { class: 'brand' }, icon('mark', 28), t('app.name'));

export function passwordField(labelText, attrs = {}) {
  const id = uid('pw');
  const input = h('input', { id, type: 'password', autocomplete: 'current-password', ...attrs });
  return { label: h('label', { for: id, text: labelText }), row: h('div', { class: 'pw' }, input, eyeToggle(input)), input };
}

// A checklist under a new-password field. Its rules are the server's (the policy it
// describes); which are met, the server says too, a moment after the typing pauses.
export function ruleChecklist(policy, input, identity) {
  const list = h('ul', { class: 'checks', 'aria-live': 'polite' });
  const codes = policy?.rules || [];
  let timer;
  let asked = 0;
  const render = (broken) => {
    list.replaceChildren(...codes.map((code) => {
      const known = input.value && broken;
      const bad = known && broken.has(code);
      return h('li', {
        class: known ? (bad ? 'bad' : 'good') : '',
        text: `${known && !bad ? '✓' : '•'} ${t(`policy.${code}`, { min: policy.min_length, max: policy.max_length })}`,
      });
    }));
  };
  const ask = async () => {
    const mine = ++asked;
    const candidate = input.value;
    if (!candidate) return render(null);
    try {
      const { status, data } = await call('POST', '/func/portico/password-check', { password: candidate, ...identity() });
      // Only the answer to what the field still holds counts.
      if (mine !== asked || input.value !== candidate) return;
      render(status === 200 ? new Set(data.violations.map((v) => v.code)) : null);
    } catch {
      if (mine === asked) render(null);
    }
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    if (!input.value) { asked++; return render(null); }
    timer = setTimeout(ask, 250);
  });
  render(null);
  return { list };
}

// A checkbox and its sentence, with the documents' links inside the sentence ("I have read and
// agree to the {link}."). The whole sentence, links included, is the checkbox's name.
export function agreement(template, links) {
  const box = h('input', { type: 'checkbox', id: uid('agree'), required: true });
  const parts = template.split(/\{(\w+)\}/).map((piece, i) => {
    const part = i % 2 ? links[piece] : h('span', { text: piece });
    part.id = part.id || uid('agree-part');
    return part;
  });
  parts[0] = h('label', { for: box.id, id: parts[0].id, text: parts[0].textContent });
  box.setAttribute('aria-labelledby', parts.map((part) => part.id).join(' '));
  return { box, row: h('div', { class: 'check' }, box, h('span', {}, parts)) };
}

export const documentLink = (kind, lang) => h('button', {
  type: 'button', class: 'link', text: t(`signup.${kind}`), onclick: () => showDocument(kind, lang()),
});

export async function showDocument(kind, lang) {
  const { status, data } = await call('GET', `/func/portico/documents/${kind}?lang=${lang}`);
  const body = h('div', { class: 'doc' });
  if (status === 200) {
    // The operator's own document; the CSP forbids any script in it.
    body.innerHTML = data.html;
  } else {
    body.textContent = reasons(data) || String(status);
  }
  let close;
  const done = h('button', { type: 'button', class: 'primary', text: t('common.close'), onclick: () => close() });
  close = openDialog([body, done], { label: t(kind === 'terms' ? 'signup.terms' : 'signup.privacy'), wide: true });
}
