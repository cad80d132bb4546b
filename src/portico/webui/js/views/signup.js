// @ts-check
// The sign-up dialog: live password checks, invitation token, the two documents to accept.
import { h, field, message } from '../dom.js';
import { t, language } from '../i18n.js';
import { call, NetworkError } from '../api.js';
import { dialogActions, openDialog } from '../dialog.js';
import { agreement, documentLink, passwordField, ruleChecklist } from './common.js';
import { problemText } from '../errors.js';

export function openSignup(config, prefillToken = '') {
  const policy = config.passwordPolicy;
  const [emailLabel, email] = field(t('signup.email'), { type: 'email', autocomplete: 'email', maxlength: 64, autofocus: true });
  const [nameLabel, username] = field(t('signup.username'), { type: 'text', autocomplete: 'username', maxlength: 64 });
  const pw = passwordField(t('signup.password'), { autocomplete: 'new-password', maxlength: 256 });
  const pw2 = passwordField(t('signup.confirm'), { autocomplete: 'new-password', maxlength: 256 });
  const rules = ruleChecklist(policy, pw.input, () => ({ email: email.value, username: username.value }));
  const inviteMode = config.signup.mode === 'invite';
  const [tokenLabel, token] = field(t('signup.token'), { type: 'text', value: prefillToken, maxlength: 256, autocomplete: 'off' });
  const terms = agreement(t('signup.agreeTerms', { link: '{link}' }), { link: documentLink('terms', language) });
  const privacy = agreement(t('signup.agreePrivacy', { link: '{link}' }), { link: documentLink('privacy', language) });
  const out = h('div');
  const submit = h('button', { type: 'submit', class: 'primary', text: t('signup.submit') });
  const say = (kind, text) => out.replaceChildren(message(kind, text));
  let close;

  async function send(e) {
    e.preventDefault();
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email.value.trim())) return say('error', t('signup.badEmail'));
    if (pw.input.value !== pw2.input.value) return say('error', t('signup.mismatch'));
    if (inviteMode && !token.value.trim()) return say('error', t('signup.needToken'));
    if (!terms.box.checked || !privacy.box.checked) return say('error', t('signup.needAgree'));
    submit.disabled = true;
    try {
      const body = {
        email: email.value.trim(), user_name: username.value.trim() || undefined, password: pw.input.value,
        token: inviteMode ? token.value.trim() : undefined,
        terms_version: config.consent?.terms_version, privacy_version: config.consent?.privacy_version,
      };
      const { status, data } = await call('POST', '/func/auth/signup', body);
      if (status === 201) return done(data.status, body.email);
      say('error', problemText(status, data));
    } catch (error) {
      if (error instanceof NetworkError) return say('error', t('login.unreachable'));
      throw error;
    } finally {
      submit.disabled = false;
    }
  }

  function done(status, address) {
    close();
    // The invitation is spent: it leaves the address bar (and the browser's history entry).
    if (new URLSearchParams(location.search).has('token')) history.replaceState(null, '', location.pathname);
    const text = status === 'verify-email' ? t('signup.sent', { email: address }) : status === 'await-approval' ? t('signup.approval') : t('signup.active');
    const closeDone = openDialog([
      h('h2', { text: status === 'verify-email' ? t('signup.sentTitle') : t('signup.title') }),
      message('ok', text),
      h('button', { type: 'button', class: 'primary', text: t('common.close'), onclick: () => closeDone() }),
    ], { label: t('signup.sentTitle') });
  }

  const form = h('form', { novalidate: true, onsubmit: send },
    h('h2', { id: 'signup-title', text: t('signup.title') }),
    emailLabel, email, nameLabel, username, pw.label, pw.row, rules.list, pw2.label, pw2.row,
    inviteMode ? [tokenLabel, token] : null, terms.row, privacy.row, out,
    dialogActions(t('signup.cancel'), () => close(), submit));
  close = openDialog(form, { label: t('signup.title') });
}
