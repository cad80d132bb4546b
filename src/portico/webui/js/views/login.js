// The log-in dialog: ID, password, endpoint, and the ways out (sign up, forgot password).
import { h, field, message } from '../dom.js';
import { t, language } from '../i18n.js';
import { call, probe, setEndpoint, NetworkError } from '../api.js';
import { dialogActions, openDialog } from '../dialog.js';
import { agreement, documentLink, eyeToggle, passwordField, ruleChecklist } from './common.js';
import { problemText, problemType } from '../errors.js';
import { icon } from '../icons.js';

// Loaded when needed: the log-in page's first paint carries none of it.
const twoFactorViews = () => import('./two_factor.js');

const HISTORY = 'portico.endpoints';
const LAST = 'portico.endpoint';

function rememberEndpoint(url) {
  const list = JSON.parse(localStorage.getItem(HISTORY) || '[]').filter((u) => u !== url);
  localStorage.setItem(HISTORY, JSON.stringify([url, ...list].slice(0, 5)));
  localStorage.setItem(LAST, url);
}

// The form arrives in the page (usable before this script runs); this adds the rest to it.
export function loginView(config, { onLoggedIn, openSignup }) {
  const pinned = config.endpointPinned;
  const form = document.getElementById('login-form');
  const id = document.getElementById('login-id');
  const pw = { input: document.getElementById('login-password') };
  const endpoint = document.getElementById('login-endpoint');
  const status = document.getElementById('login-status');
  const submit = form.querySelector('button[type=submit]');
  document.getElementById('login-brand').prepend(icon('mark', 28));
  document.getElementById('login-password-row').append(eyeToggle(pw.input));
  const history = JSON.parse(localStorage.getItem(HISTORY) || '[]');
  document.getElementById('endpoint-history').replaceChildren(...history.map((u) => h('option', { value: u })));
  // A remembered endpoint, unless the person already typed another.
  if (!pinned && endpoint.value === config.apiEndpoint) endpoint.value = localStorage.getItem(LAST) || config.apiEndpoint;
  document.getElementById('login-links').replaceChildren(
    config.signup?.enabled ? h('button', { type: 'button', class: 'link', text: t('login.signup'), onclick: () => openSignup() })
      : h('p', { class: 'hint', text: t('login.askAdmin') }),
    config.recovery?.enabled ? h('button', { type: 'button', class: 'link', text: t('login.forgot'), onclick: () => forgotPanel() }) : '',
  );
  if (config.twoFactor?.passkeys) {
    import('../passkeys.js').then((passkeys) => { if (passkeys.passkeysSupported()) offerPasskeys(passkeys); });
  }

  // The page asks for a code itself when scripts were off at the last try.
  const serverCode = document.getElementById('login-otp');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    attempt(serverCode?.value.trim() ? { otp: serverCode.value.trim() } : {});
  });

  const say = (kind, text, extra) => status.replaceChildren(message(kind, text), extra || '');
  // The way out of a block that this server offers: a reset by e-mail, or the administrator.
  const blockedText = (minutes) => t(config.recovery?.enabled ? 'login.blocked' : 'login.blockedAskAdmin', { minutes });

  // `extra`: what a further step adds (agreed versions, the second factor's code). `report`
  // shows a refusal where the person is looking (the code dialog has its own place).
  async function attempt(extra = {}, { report = say, done = () => {} } = {}) {
    const url = (pinned ? config.apiEndpoint : endpoint.value).trim().replace(/\/+$/, '');
    if (!id.value.trim() || !pw.input.value) return report('error', t('login.empty'));
    if (!/^https?:\/\/.+/.test(url)) return report('error', t('login.badEndpoint'));
    setEndpoint(url);
    submit.disabled = true;
    report('ok', t('login.working'));
    try {
      if (!(await probe())) return report('error', t('login.notServer'));
      const { status: code, data, headers } = await call('POST', '/server/login',
        { username: id.value.trim(), password: pw.input.value, ...extra });
      if (code === 200 && data?.authenticated) {
        if (!pinned) rememberEndpoint(url);
        done();
        return onLoggedIn();
      }
      const problem = data?.data || {};
      const step = (data?.data?.type || '').split('/').pop();
      if (code === 200 && step === 'require-consent') return consentStep(data.data, (agreed) => attempt({ ...extra, ...agreed }));
      if (code === 200 && step === 'require-totp-authentication') {
        say('ok', t('login.codeText'));
        return codeStep(extra);
      }
      if (code === 200 && step === 'require-totp-registration') return setupStep(problem.two_factor_registration_token, extra);
      if (code === 401 && (data?.data?.type || '').endsWith('/password-expired')) return expiredStep();
      if (code === 429) {
        const minutes = data?.minutes_left || Math.ceil(Number(headers.get('Retry-After') || 60) / 60);
        return report('error', blockedText(minutes));
      }
      switch (problem.code) {
        case 'email-unverified': return unverified();
        case 'account-inactive': return report('error', t('login.inactive'));
        case 'pending-approval': return report('error', t('login.pending'));
        default: break;
      }
      if (code === 401) {
        const near = problem.attempts_left ? ` ${t('login.attemptsLeft', { n: problem.attempts_left })}` : '';
        return report('error', t(problem.code === 'invalid-otp' ? 'login.wrongCode' : 'login.mismatch') + near);
      }
      return report('error', t('login.unknown', { status: code }));
    } catch (error) {
      if (error instanceof NetworkError) return report('error', t('login.unreachable'));
      throw error;
    } finally {
      submit.disabled = false;
    }
  }

  function unverified() {
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
  function expiredStep() {
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
  async function codeStep(extra) {
    const { codeInput } = await twoFactorViews();
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
  async function setupStep(token, extra) {
    say('ok', t('login.setupText'));
    const { enrolmentDialog } = await twoFactorViews();
    const answer = await enrolmentDialog({
      begin: () => call('POST', '/func/portico/two-factor/setup/totp', { token }),
      confirm: (code) => call('POST', '/func/portico/two-factor/setup/totp/confirm', { token, code }),
      onDone: () => {
        say('ok', t('login.setupDone'));
        codeStep(extra);
      },
      onCancel: () => say('error', t('tf.required')),
    });
    if (answer.status !== 200) say('error', problemText(answer.status, answer.data));
  }

  // "Log in with a passkey", and the passkeys among the ID field's suggestions (conditional
  // mediation: the field is marked `autocomplete="username webauthn"`).
  function offerPasskeys({ conditionalAvailable, getPasskey }) {
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
          return consentStep(data.data, (versions) => withPasskey(false, versions));
        }
        return say('error', code === 401 ? t('pk.failed') : problemText(code, data?.data || data));
      } catch (error) {
        if (error?.name === 'AbortError' || error?.name === 'NotAllowedError') return null; // given up
        if (error instanceof NetworkError) return say('error', t('login.unreachable'));
        return say('error', t('pk.failed'));
      } finally {
        if (pending === controller) pending = null;
      }
    }
  }

  function consentStep(step, retry) {
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

  function forgotPanel() {
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

  if (!form.contains(document.activeElement)) id.focus();
}
