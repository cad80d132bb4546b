// @ts-check
// Boot: the page brought the UI config, the strings and (for a log-in) the form itself; take
// over the form, or show the console.
import { adoptLinkedLanguage, language, loadLanguage, pageLanguageIsStale, t, usePageStrings } from './i18n.js';
import { call, setEndpoint } from './api.js';
import { loginView } from './views/login.js';
import { byId } from './dom.js';

const LAST_ENDPOINT = 'portico.endpoint';

async function boot() {
  usePageStrings();
  if (!adoptLinkedLanguage() && pageLanguageIsStale()) return location.reload();
  const config = JSON.parse(byId('portico-config').textContent || '{}');
  const path = location.pathname;
  // A mailed link's page sends its token (and a new password) to the server that mailed it,
  // this page's own origin, never to an endpoint remembered from an earlier log-in.
  const linkPages = { '/verify-email': 'verifyEmailPage', '/change-password': 'changePasswordPage', '/unlock': 'unlockPage' };
  if (linkPages[path]) {
    setEndpoint('');
    return (await import('./views/pages.js'))[linkPages[path]](config);
  }
  const stored = localStorage.getItem(LAST_ENDPOINT);
  setEndpoint(config.endpointPinned ? config.apiEndpoint : stored || config.apiEndpoint);
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

const ADMIN_ROLES = ['superadmin', 'admin'];

// The console's pages: the Summary for everyone, the administration for admins. Each renders
// into the shell's main area and may hand back its unmount.
function consolePages(me, summary, profile) {
  const pages = [
    { path: '/summary', label: t('nav.summary'), icon: 'summary', render: summary },
    { path: '/profile', label: t('profile.title'), hidden: true, render: profile }, // in the user menu
  ];
  if (ADMIN_ROLES.includes(me.role)) {
    const admin = (name) => (main) => {
      let unmount = null;
      let gone = false;
      import('./views/admin.js').then((views) => { if (!gone) unmount = views[name](main, me, { onUnauthorized: logOut }); });
      return () => { gone = true; if (unmount) unmount(); };
    };
    pages.push(
      { path: '/admin/users', label: t('nav.users'), icon: 'users', render: admin('usersPage') },
      { path: '/admin/invitations', label: t('nav.invitations'), icon: 'invite', render: admin('invitationsPage') },
      { path: '/admin/resources', label: t('nav.resources'), icon: 'resources', render: admin('resourcesPage') },
      { path: '/admin/audit', label: t('nav.audit'), icon: 'audit', render: admin('auditPage') },
    );
  }
  return pages;
}

async function showConsole(config) {
  const [{ shell, changePasswordDialog }, { summaryPage, summaryError }] = await Promise.all([
    import('./views/shell.js'), import('./views/summary.js'),
    // The log-in page carries only its own strings; the console's come now.
    config.stringsComplete === false ? loadLanguage(language()) : null]);
  const { status, data } = await call('GET', '/func/portico/me');
  // The manager no longer accepts this session: end it here too, then log in again.
  if (status === 401) return logOut();
  const me = status === 200 ? data : { email: '', username: '', role: '' };
  const summary = (main) => (status === 200
    ? summaryPage(main, me, { onUnauthorized: logOut })
    : summaryError(main, data?.title || status));
  let render;
  const profile = (main) => {
    let gone = false;
    import('./views/profile.js').then((views) => {
      if (!gone) views.profilePage(main, me, { config, onUnauthorized: logOut, rerender: render, changePassword: () => changePasswordDialog(me, config.passwordPolicy) });
    });
    return () => { gone = true; };
  };
  render = () => {
    const pages = consolePages(me, summary, profile);
    const current = pages.find((p) => p.path === location.pathname) || pages[0];
    if (location.pathname !== current.path) history.replaceState(null, '', current.path);
    shell(me, {
      rerender: render,
      policy: config.passwordPolicy,
      onLogout: logOut,
      nav: pages,
      current: current.path,
      // A new page: focus goes to it, as a screen reader expects after following a link.
      navigate: (path) => { history.pushState(null, '', path); render(); document.getElementById('main')?.focus(); },
      page: current.render,
    });
  };
  window.addEventListener('popstate', render);
  render();
}

boot();
