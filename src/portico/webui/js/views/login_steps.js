// @ts-check
// The log-in page's further steps and side paths, loaded when one is needed: a code, a second
// factor to set up, new terms, an expired password, an unverified address, a forgotten
// password, passkeys. `ctx` is the log-in form's state (views/login.js).
import { h, field, message } from '../dom.js';
import { t, language } from '../i18n.js';
import { call, setEndpoint, NetworkError } from '../api.js';
import { dialogActions, openDialog } from '../dialog.js';
import { agreement, documentLink, passwordField, ruleChecklist } from './common.js';
import { problemText, problemType } from '../errors.js';
import { codeInput, enrolmentDialog } from './two_factor.js';

export function unverified(ctx) {
  const { id, say } = ctx;
  const resend = h('button', {
    type: 'button', class: 'link', text: t('login.resend'),
    onclick: async () => {
      const email = id.value.trim();
      const { status: code } = await call('POST', '/func/cloud/send-verification-email', { email });
      say(code === 200 ? 'ok' : 'error', t(code === 200 ? 'verify.resent' : code === 429 ? 'common.tooMany' : 'common.disabled'));
    },
  });
  say('error', t('login.unverified'), resend);
}

// The password is right but must be changed first (a temporary one): change it here, without
// a session, then log in with the new one.
export function expiredStep(ctx) {
  const { config, id, pw, say, attempt, blockedText } = ctx;
  say('error', t('expired.text'));
  const pw1 = passwordField(t('pwchange.new'), { autocomplete: 'new-password', autofocus: true });
  const pw2 = passwordField(t('pwchange.confirm'), { autocomplete: 'new-password' });
  const rules = ruleChecklist(config.passwordPolicy, pw1.input, () => ({ email: id.value.trim(), username: id.value.trim() }));
  const out = h('div');
  const go = h('button', { type: 'submit', class: 'primary', text: t('expired.submit') });
  let close;
  const form = h('form', {
    novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      if (pw1.input.value !== pw2.input.value) return out.replaceChildren(message('error', t('signup.mismatch')));
      if (pw1.input.value === pw.input.value) return out.replaceChildren(message('error', t('expired.same')));
      go.disabled = true;
      try {
        const { data } = await call('POST', '/server/update-password-no-auth', {
          username: id.value.trim(), current_password: pw.input.value, new_password: pw1.input.value,
        });
        if (data?.password_changed_at) {
          close();
          pw.input.value = pw1.input.value;
          return attempt();
        }
        const problem = data?.data || {};
        const text = problemType(problem) === 'auth-failed' ? t('login.mismatch')
          : problemType(problem) === 'too-many-requests' ? blockedText(Math.ceil((data?.retry_after || 60) / 60))
            : problemText(400, problem, { failed: 'pwchange.failed' });
        out.replaceChildren(message('error', text));
      } catch {
        out.replaceChildren(message('error', t('login.unreachable')));
      } finally {
        go.disabled = false;
      }
    },
  }, h('h2', { text: t('expired.title') }), h('p', { class: 'hint', text: t('expired.text') }),
  pw1.label, pw1.row, rules.list, pw2.label, pw2.row, out, dialogActions(t('signup.cancel'), () => close(), go));
  close = openDialog(form, { label: t('expired.title') });
}

// The password was right; the account has a second factor: its code, or a recovery code.
export function codeStep(ctx, extra) {
  const { attempt } = ctx;
  let recovery = false;
  const [label, input] = codeInput(t('tf.code'), { autofocus: true, 'aria-describedby': 'login-code-hint' });
  const hint = h('p', { class: 'hint', id: 'login-code-hint', text: t('login.codeText') });
  const out = h('div', { 'aria-live': 'polite' });
  const toggle = h('button', {
    type: 'button', class: 'link', text: t('login.useRecovery'),
    onclick: () => {
      recovery = !recovery;
      label.textContent = t(recovery ? 'login.recoveryCode' : 'tf.code');
      hint.textContent = t(recovery ? 'login.recoveryText' : 'login.codeText');
      toggle.textContent = t(recovery ? 'login.useApp' : 'login.useRecovery');
      input.inputMode = recovery ? 'text' : 'numeric';
      input.autocomplete = recovery ? 'off' : 'one-time-code';
      input.value = '';
      out.replaceChildren();
      input.focus();
    },
  });
  const go = h('button', { type: 'submit', class: 'primary', text: t('login.submit') });
  let close;
  const form = h('form', {
    novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      if (!input.value.trim()) return out.replaceChildren(message('error', hint.textContent));
      go.disabled = true;
      await attempt({ ...extra, otp: input.value.trim() }, {
        report: (kind, text) => out.replaceChildren(message(kind, text)),
        done: () => close(),
      });
      go.disabled = false;
      input.select();
    },
  }, h('h2', { text: t('login.codeTitle') }), label, input, hint, toggle, out,
  dialogActions(t('signup.cancel'), () => close(), go));
  close = openDialog(form, { label: t('login.codeTitle') });
}

// The service requires a second factor and the account has none: set one up (with the
// token the refusal carried), then log in with the app's next code.
export async function setupStep(ctx, token, extra) {
  const { say } = ctx;
  say('ok', t('login.setupText'));
  const answer = await enrolmentDialog({
    begin: () => call('POST', '/func/portico/two-factor/setup/totp', { token }),
    confirm: (code) => call('POST', '/func/portico/two-factor/setup/totp/confirm', { token, code }),
    onDone: () => {
      say('ok', t('login.setupDone'));
      codeStep(ctx, extra);
    },
    onCancel: () => say('error', t('tf.required')),
  });
  if (answer.status !== 200) say('error', problemText(answer.status, answer.data));
}

// "Log in with a passkey", and the passkeys among the ID field's suggestions (conditional
// mediation: the field is marked `autocomplete="username webauthn"`).
export function offerPasskeys(ctx, { conditionalAvailable, getPasskey }) {
  const { config, endpoint, pinned, say, onLoggedIn, rememberEndpoint, submit } = ctx;
  let pending = null; // the conditional request, given up when the button is used
  const button = h('button', { type: 'button', class: 'passkey', text: t('pk.login'), onclick: () => withPasskey(false) });
  submit.after(button);
  conditionalAvailable().then((yes) => { if (yes) withPasskey(true); });

  async function withPasskey(conditional, agreed = {}) {
    if (pending) pending.abort();
    const controller = new AbortController();
    if (conditional) pending = controller;
    const url = (pinned ? config.apiEndpoint : endpoint.value).trim().replace(/\/+$/, '');
    if (!/^https?:\/\/.+/.test(url)) return say('error', t('login.badEndpoint'));
    setEndpoint(url);
    try {
      const options = await call('POST', '/func/portico/passkeys/login-options');
      if (options.status !== 200) return conditional ? null : say('error', problemText(options.status, options.data));
      const credential = await getPasskey(options.data, { conditional, signal: controller.signal });
      if (!credential) return null;
      say('ok', t('login.working'));
      const { status: code, data } = await call('POST', '/server/login-passkey', { credential, ...agreed });
      if (code === 200 && data?.authenticated) {
        if (!pinned) rememberEndpoint(url);
        return onLoggedIn();
      }
      if (code === 200 && (data?.data?.type || '').endsWith('/require-consent')) {
        return consentStep(ctx, data.data, (versions) => withPasskey(false, versions));
      }
      return say('error', code === 401 ? t('pk.failed') : problemText(code, data?.data || data));
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name === 'AbortError' || name === 'NotAllowedError') return null; // given up
      if (error instanceof NetworkError) return say('error', t('login.unreachable'));
      return say('error', t('pk.failed'));
    } finally {
      if (pending === controller) pending = null;
    }
  }
}

export function consentStep(ctx, step, retry) {
  const { box, row } = agreement(t('consent.agree', { terms: '{terms}', privacy: '{privacy}' }),
    { terms: documentLink('terms', language), privacy: documentLink('privacy', language) });
  const err = h('div');
  let close;
  const go = h('button', {
    type: 'button', class: 'primary', text: t('consent.continue'),
    onclick: () => {
      if (!box.checked) return err.replaceChildren(message('error', t('signup.needAgree')));
      close();
      retry({ agreed_terms_version: step.terms_version, agreed_privacy_version: step.privacy_version });
    },
  });
  close = openDialog([h('h2', { text: t('consent.title') }), h('p', { text: t('consent.text') }), row, err, go],
    { label: t('consent.title') });
}

export function forgotPanel(ctx) {
  const { config, endpoint, pinned } = ctx;
  const [label, email] = field(t('signup.email'), { type: 'email', autocomplete: 'email', autofocus: true });
  const out = h('div');
  const send = h('button', { type: 'submit', class: 'primary', text: t('forgot.send') });
  let close;
  const form = h('form', {
    novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email.value.trim())) {
        return out.replaceChildren(message('error', t('signup.badEmail')));
      }
      setEndpoint((pinned ? config.apiEndpoint : endpoint.value).trim());
      send.disabled = true;
      try {
        const { status: code } = await call('POST', '/func/cloud/send-password-change-email', { email: email.value.trim() });
        const text = code === 200 ? 'forgot.sent' : code === 429 ? 'common.tooMany' : code === 403 ? 'common.disabled' : 'signup.badEmail';
        out.replaceChildren(message(code === 200 ? 'ok' : 'error', t(text)));
      } catch {
        out.replaceChildren(message('error', t('login.unreachable')));
      } finally {
        send.disabled = false;
      }
    },
  }, h('h2', { text: t('forgot.title') }), h('p', { class: 'hint', text: t('forgot.text') }), label, email, out, send,
  h('div', { class: 'row' }, h('button', { type: 'button', class: 'link', text: t('forgot.back'), onclick: () => close() })));
  close = openDialog(form, { label: t('forgot.title') });
}

