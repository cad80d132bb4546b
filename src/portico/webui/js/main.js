// Boot: read the UI config, pick the language, show the right screen.
import { loadLanguage, preferredLanguage } from './i18n.js';
import { call, setEndpoint } from './api.js';
import { loginView } from './views/login.js';

async function boot() {
  const path = location.pathname;
  const onLinkPage = path === '/verify-email' || path === '/change-password';
  // Everything the first screen needs, asked for at once.
  const [config, , signedIn] = await Promise.all([
    fetch('/config.json').then((r) => r.json()),
    loadLanguage(preferredLanguage()),
    onLinkPage ? false : loginCheck(),
  ]);
  const stored = localStorage.getItem('portico.endpoint');
  setEndpoint(config.endpointPinned ? config.apiEndpoint : stored || config.apiEndpoint);
  if (path === '/verify-email') return (await import('./views/pages.js')).verifyEmailPage();
  if (path === '/change-password') return (await import('./views/pages.js')).changePasswordPage(config);
  return start(config, signedIn);
}

async function loginCheck() {
  const stored = localStorage.getItem('portico.endpoint');
  if (stored) setEndpoint(stored);
  try {
    const { data } = await call('POST', '/server/login-check');
    return Boolean(data?.authenticated);
  } catch {
    return false;
  }
}

async function start(config, signedIn) {
  if (signedIn === undefined) signedIn = await loginCheck();
  if (signedIn) return showConsole(config);
  loginView(config, {
    onLoggedIn: () => showConsole(config),
    openSignup: async () => (await import('./views/signup.js')).openSignup(config, tokenFromUrl()),
  });
  if (config.signup?.enabled && tokenFromUrl()) {
    (await import('./views/signup.js')).openSignup(config, tokenFromUrl());
  }
}

const tokenFromUrl = () => new URLSearchParams(location.search).get('token') || '';

async function showConsole(config) {
  const [{ shell }, { summaryPage, summaryError }] = await Promise.all([import('./views/shell.js'), import('./views/summary.js')]);
  if (location.pathname !== '/summary') history.replaceState(null, '', '/summary');
  const { status, data } = await call('GET', '/func/portico/me');
  if (status === 401) return start(config);
  const me = status === 200 ? data : { email: '', username: '', role: '' };
  const render = () => shell(me, {
    rerender: render,
    onLogout: async () => {
      await call('POST', '/server/logout');
      document.onkeydown = null;
      history.replaceState(null, '', '/');
      start(config);
    },
    page: (main) => (status === 200
      ? summaryPage(main, me, { onUnauthorized: () => { document.onkeydown = null; start(config, false); } })
      : summaryError(main, data?.title || status)),
  });
  render();
}

boot();
