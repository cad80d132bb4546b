// @ts-check
// Pages opened from e-mailed links. Opening a link changes nothing; the button here does.
import { h, field, message, mount } from '../dom.js';
import { t } from '../i18n.js';
import { call } from '../api.js';
import { brand, passwordField, ruleChecklist } from './common.js';
import { problemText, problemType } from '../errors.js';

const page = (...children) => mount(h('main', { class: 'center' }, h('section', { class: 'card' }, brand(), ...children)));
const toLogin = () => h('p', {}, h('a', { href: '/', text: t('change.toLogin') }));

export function verifyEmailPage() {
  const code = new URLSearchParams(location.search).get('verification_code') || '';
  const out = h('div');
  const button = h('button', {
    type: 'button', class: 'primary', text: t('verify.submit'),
    onclick: async () => {
      button.disabled = true;
      const { status, data } = await call('POST', '/func/cloud/verify-email', { verification_code: code });
      if (status === 200) {
        button.remove();
        out.replaceChildren(message('ok', t(data.status === 'await-approval' ? 'verify.approval' : 'verify.done')), toLogin());
      } else {
        // A used or expired link cannot be confirmed again: only asking for a new one is left.
        button.remove();
        out.replaceChildren(message('error', t('verify.invalid')), resendForm());
      }
    },
  });
  page(h('h1', { text: t('verify.title') }), h('p', { text: t('verify.text') }), out, button);
}

function resendForm() {
  const [label, email] = field(t('signup.email'), { type: 'email', autocomplete: 'email' });
  const out = h('div');
  return h('form', {
    novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      const { status } = await call('POST', '/func/cloud/send-verification-email', { email: email.value.trim() });
      out.replaceChildren(message(status === 200 ? 'ok' : 'error', t(status === 200 ? 'verify.resent' : status === 429 ? 'common.tooMany' : 'common.disabled')));
    },
  }, label, email, out, h('button', { type: 'submit', class: 'primary', text: t('forgot.send') }));
}

export function changePasswordPage(config) {
  const token = new URLSearchParams(location.search).get('token') || '';
  const policy = config.passwordPolicy;
  const [emailLabel, email] = field(t('signup.email'), { type: 'email', autocomplete: 'email', autofocus: true });
  const pw = passwordField(t('pwchange.new'), { autocomplete: 'new-password', maxlength: 256 });
  const pw2 = passwordField(t('pwchange.confirm'), { autocomplete: 'new-password', maxlength: 256 });
  const rules = ruleChecklist(policy, pw.input, () => ({ email: email.value }));
  // Whoever knew the old password may have used the API keypair too: replace it unless kept.
  const replaceKeypair = h('input', { type: 'checkbox', id: 'replace-keypair', checked: true });
  const keypairChoice = h('div', { class: 'check' }, replaceKeypair, h('label', { for: 'replace-keypair', text: t('change.replaceKeypair') }));
  // And may have added a passkey, which stands for both factors: listed, removed unless kept.
  const removePasskeys = h('input', { type: 'checkbox', id: 'remove-passkeys', checked: true });
  const passkeyChoice = h('div', { class: 'check', hidden: true });
  call('POST', '/func/cloud/change-password/passkeys', { token }).then(({ status, data }) => {
    const names = status === 200 ? data.passkeys : [];
    if (!names.length) return;
    passkeyChoice.replaceChildren(removePasskeys, h('label', { for: 'remove-passkeys', text: t('change.removePasskeys', { names: names.join(', ') }) }));
    passkeyChoice.hidden = false;
  }).catch(() => {});
  const out = h('div');
  const submit = h('button', { type: 'submit', class: 'primary', text: t('change.submit') });
  const form = h('form', {
    novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      if (pw.input.value !== pw2.input.value) return out.replaceChildren(message('error', t('signup.mismatch')));
      submit.disabled = true;
      const { status, data } = await call('POST', '/func/cloud/change-password', {
        email: email.value.trim(), password: pw.input.value, token, replace_keypair: replaceKeypair.checked,
        remove_passkeys: removePasskeys.checked,
      });
      submit.disabled = false;
      if (status === 200) {
        const keypair = data.keypair_replaced ? t('change.keypairReplaced', { key: data.access_key }) : t('change.keypairKept');
        const passkeys = data.passkeys_removed ? ` ${t('change.passkeysRemoved', { count: data.passkeys_removed })}` : '';
        form.replaceChildren(message('ok', `${t('change.done')} ${keypair}${passkeys}`), toLogin());
      } else if (['weak-password', 'same-password'].includes(problemType(data))) {
        out.replaceChildren(message('error', problemText(status, data, { failed: 'pwchange.failed' })));
      } else {
        out.replaceChildren(message('error', t(status === 403 ? 'common.disabled' : 'change.invalid')));
      }
    },
  }, emailLabel, email, pw.label, pw.row, rules.list, pw2.label, pw2.row, keypairChoice, passkeyChoice, out, submit);
  page(h('h1', { text: t('change.title') }), form);
}

// A blocked account's unlock link: the button spends it (a mail scanner opening the link
// unlocks nothing).
export function unlockPage() {
  const token = new URLSearchParams(location.search).get('token') || '';
  const out = h('div');
  const button = h('button', {
    type: 'button', class: 'primary', text: t('unlock.submit'),
    onclick: async () => {
      button.disabled = true;
      const { status } = await call('POST', '/func/portico/unlock', { token });
      button.remove();
      out.replaceChildren(message(status === 200 ? 'ok' : 'error', t(status === 200 ? 'unlock.done' : status === 403 ? 'common.disabled' : 'unlock.invalid')), toLogin());
    },
  });
  page(h('h1', { text: t('unlock.title') }), h('p', { text: t('unlock.text') }), out, button);
}
