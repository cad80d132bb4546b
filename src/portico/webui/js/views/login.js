// @ts-check
// The log-in dialog: ID, password, endpoint, and the ways out (sign up, forgot password).
import { byId, h, inputById, message } from '../dom.js';
import { t } from '../i18n.js';
import { call, probe, setEndpoint, NetworkError } from '../api.js';
import { eyeToggle } from './eye_toggle.js';
import { icon } from '../icons.js';


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
  const form = byId('login-form');
  const id = inputById('login-id');
  const pw = { input: inputById('login-password') };
  const endpoint = inputById('login-endpoint');
  const status = byId('login-status');
  const submit = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
  byId('login-brand').prepend(icon('mark', 28));
  byId('login-password-row').append(eyeToggle(pw.input));
  const history = JSON.parse(localStorage.getItem(HISTORY) || '[]');
  byId('endpoint-history').replaceChildren(...history.map((u) => h('option', { value: u })));
  // A remembered endpoint, unless the person already typed another.
  if (!pinned && endpoint.value === config.apiEndpoint) endpoint.value = localStorage.getItem(LAST) || config.apiEndpoint;
  byId('login-links').replaceChildren(
    config.signup?.enabled ? h('button', { type: 'button', class: 'link', text: t('login.signup'), onclick: () => openSignup() })
      : h('p', { class: 'hint', text: t('login.askAdmin') }),
    config.recovery?.enabled ? h('button', { type: 'button', class: 'link', text: t('login.forgot'), onclick: () => step('forgotPanel') }) : '',
  );
  if (config.twoFactor?.passkeys) {
    import('../passkeys.js').then((passkeys) => { if (passkeys.passkeysSupported()) step('offerPasskeys', passkeys); });
  }

  // The page asks for a code itself when scripts were off at the last try.
  const serverCode = /** @type {HTMLInputElement | null} */ (document.getElementById('login-otp'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    attempt(serverCode?.value.trim() ? { otp: serverCode.value.trim() } : {});
  });

  const say = (kind, text, extra) => status.replaceChildren(message(kind, text), extra || '');

  // The way out of a block that this server offers: a reset by e-mail, or the administrator.
  const blockedText = (minutes) => t(config.recovery?.enabled ? 'login.blocked' : 'login.blockedAskAdmin', { minutes });
  // The further steps load when one is needed: the first paint carries none of them.
  const ctx = { config, id, pw, endpoint, pinned, submit, say, attempt, blockedText, onLoggedIn, rememberEndpoint };
  const step = async (name, ...args) => (await import('./login_steps.js'))[name](ctx, ...args);

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
      const next = (data?.data?.type || '').split('/').pop();
      if (code === 200 && next === 'require-consent') return step('consentStep', data.data, (agreed) => attempt({ ...extra, ...agreed }));
      if (code === 200 && next === 'require-totp-authentication') {
        say('ok', t('login.codeText'));
        return step('codeStep', extra);
      }
      if (code === 200 && next === 'require-totp-registration') return step('setupStep', problem.two_factor_registration_token, extra);
      if (code === 401 && (data?.data?.type || '').endsWith('/password-expired')) return step('expiredStep');
      if (code === 429) {
        const minutes = data?.minutes_left || Math.ceil(Number(headers.get('Retry-After') || 60) / 60);
        return report('error', blockedText(minutes), config.recovery?.unlock_link ? unlockOffer() : '');
      }
      switch (problem.code) {
        case 'email-unverified': return step('unverified');
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

  // The way out of a block that needs nobody's help: a link mailed to the account's owner.
  function unlockOffer() {
    const loginId = id.value.trim();
    return h('button', {
      type: 'button', class: 'link', text: t('login.unlockOffer'),
      onclick: async () => {
        try {
          const { status: code } = await call('POST', '/func/portico/unlock-link', { username: loginId });
          say(code === 200 ? 'ok' : 'error', t(code === 200 ? 'login.unlockSent' : code === 429 ? 'common.tooMany' : 'common.disabled'));
        } catch {
          say('error', t('login.unreachable'));
        }
      },
    });
  }

  if (!form.contains(document.activeElement)) id.focus();
}
