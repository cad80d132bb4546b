// Boot: the page brought the UI config, the strings and (for a log-in) the form itself; take
// over the form, or show the console.
import { adoptLinkedLanguage, pageLanguageIsStale, usePageStrings } from './i18n.js';
import { call, setEndpoint } from './api.js';
import { loginView } from './views/login.js';

const LAST_ENDPOINT = 'portico.endpoint';

async function boot() {
  usePageStrings();
  if (!adoptLinkedLanguage() && pageLanguageIsStale()) return location.reload();
  const config = JSON.parse(document.getElementById('portico-config').textContent);
  const path = location.pathname;
  const stored = localStorage.getItem(LAST_ENDPOINT);
  setEndpoint(config.endpointPinned ? config.apiEndpoint : stored || config.apiEndpoint);
  if (path === '/verify-email') return (await import('./views/pages.js')).verifyEmailPage();
  if (path === '/change-password') return (await import('./views/pages.js')).changePasswordPage(config);
  // The page knows about a session on this server; one on another endpoint is asked for.
  if (config.signedIn) {
    setEndpoint(config.apiEndpoint);
    return showConsole(config);
  }
  const elsewhere = !config.endpointPinned && stored && stored !== config.apiEndpoint;
  if (elsewhere && await loginCheck()) return showConsole(config);
  loginView(config, {
    onLoggedIn: () => showConsole(config),
    openSignup: async () => (await import('./views/signup.js')).openSignup(config, tokenFromUrl()),
  });
  if (config.signup?.enabled && tokenFromUrl()) {
    (await import('./views/signup.js')).openSignup(config, tokenFromUrl());
  }
}

async function loginCheck() {
  try {
    const { data } = await call('POST', '/server/login-check');
    return Boolean(data?.authenticated);
  } catch {
    return false;
  }
}

const tokenFromUrl = () => new URLSearchParams(location.search).get('token') || '';

// The log-in form comes with the page: going back to it is loading the page again.
async function logOut() {
  try {
    await call('POST', '/server/logout');
  } finally {
    location.assign('/');
  }
}

async function showConsole(config) {
  const [{ shell }, { summaryPage, summaryError }] = await Promise.all([import('./views/shell.js'), import('./views/summary.js')]);
  if (location.pathname !== '/summary') history.replaceState(null, '', '/summary');
  const { status, data } = await call('GET', '/func/portico/me');
  // The manager no longer accepts this session: end it here too, then log in again.
  if (status === 401) return logOut();
  const me = status === 200 ? data : { email: '', username: '', role: '' };
  const render = () => shell(me, {
    rerender: render,
    policy: config.passwordPolicy,
    onLogout: logOut,
    page: (main) => (status === 200
      ? summaryPage(main, me, { onUnauthorized: logOut })
      : summaryError(main, data?.title || status)),
  });
  render();
}

boot();
