// @ts-check
// After log-in: the top bar, the sidebar (the "[" key narrows it), and the page in between.
import { h, message, mount } from '../dom.js';
import { menuButton, menuChoices, menuItem } from '../menu_button.js';
import { icon } from '../icons.js';
import { t, language, loadLanguage, LANGUAGES } from '../i18n.js';
import { call } from '../api.js';
import { dialogActions, dialogOpen, openDialog } from '../dialog.js';
import { passwordField, ruleChecklist } from './common.js';
import { THEMES, currentTheme, setTheme } from '../theme.js';
import { problemText } from '../errors.js';

const SIDEBAR = 'portico.sidebar';

// `nav`: the pages this account may open ({ path, label, icon }); `current`: the one shown;
// `navigate(path)`: show another without reloading.
export function shell(me, { onLogout, rerender, page, policy, nav, current, navigate }) {
  const stored = localStorage.getItem(SIDEBAR);
  let collapsed = stored ? stored === 'collapsed' : window.innerWidth < 768;
  const toggle = h('button', { type: 'button', class: 'toggle', onclick: () => setCollapsed(!collapsed) });
  const links = nav.filter((item) => !item.hidden).map((item) => h('a', {
    href: item.path, title: item.label, 'aria-current': item.path === current ? 'page' : null,
    onclick: (event) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      navigate(item.path);
    },
  }, icon(item.icon), h('span', { class: 'label', text: item.label })));
  const sidebar = h('aside', { class: 'sidebar', 'aria-label': t('shell.menu') }, h('nav', {}, links), toggle);
  function setCollapsed(value) {
    collapsed = value;
    sidebar.classList.toggle('collapsed', value);
    toggle.replaceChildren(icon(value ? 'chevronRight' : 'chevronLeft'));
    toggle.setAttribute('aria-label', t(value ? 'shell.expand' : 'shell.collapse'));
    toggle.setAttribute('aria-expanded', String(!value));
    localStorage.setItem(SIDEBAR, value ? 'collapsed' : 'expanded');
  }
  setCollapsed(collapsed);

  const menu = menuButton({
    label: t('shell.user'),
    content: icon('user', 24),
    build: (close) => ({
      header: h('div', { class: 'who' }, h('div', { text: me.full_name || me.username }), h('div', { class: 'email', text: me.email })),
      items: [
        menuItem(t('profile.title'), () => { close(); navigate('/profile'); }),
        menuItem(t('shell.changePassword'), () => { close(); changePasswordDialog(me, policy); }),
        menuChoices(t('shell.language'), LANGUAGES.map((code) => [code, t(`lang.${code}`)]), language(),
          async (code) => { close(); await loadLanguage(code, true); rerender(); }),
        menuChoices(t('shell.theme'), THEMES.map((name) => [name, t(`theme.${name}`)]), currentTheme(),
          (name) => { setTheme(name); close({ refocus: true }); }),
        menuItem(t('shell.logout'), onLogout),
      ],
    }),
  });
  const topbar = h('header', { class: 'topbar' },
    h('div', { class: 'project' }, icon('folder'), h('span', { class: 'sr', text: t('shell.project') }), me.project || 'default'),
    menu.node);
  const main = h('main', { class: 'content', id: 'main', tabindex: '-1' });
  // "[" narrows or widens the sidebar, except while typing or in a dialog.
  function onShortcut(event) {
    if (event.key !== '[' || event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return;
    const target = event.composedPath()[0];
    if (target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
    if (dialogOpen()) return;
    event.preventDefault();
    setCollapsed(!collapsed);
  }
  document.addEventListener('keydown', onShortcut);
  const content = h('div', { class: 'shell' }, topbar, sidebar, main);
  let pageUnmount = null;
  mount(content, {
    unmount: () => {
      document.removeEventListener('keydown', onShortcut);
      menu.unmount();
      if (pageUnmount) pageUnmount();
    },
  });
  const shown = page(main);
  pageUnmount = typeof shown === 'function' ? shown : null;
}

export function changePasswordDialog(me, policy) {
  const old = passwordField(t('pwchange.old'), { autofocus: true });
  const pw = passwordField(t('pwchange.new'), { autocomplete: 'new-password' });
  const rules = ruleChecklist(policy, pw.input, () => ({ email: me.email, username: me.username }));
  const pw2 = passwordField(t('pwchange.confirm'), { autocomplete: 'new-password' });
  const out = h('div');
  let close;
  const form = h('form', {
    novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      if (pw.input.value !== pw2.input.value) return out.replaceChildren(message('error', t('signup.mismatch')));
      const { status, data } = await call('POST', '/func/auth/update-password', { old_password: old.input.value, new_password: pw.input.value, new_password2: pw2.input.value });
      if (status === 200) return form.replaceChildren(message('ok', t('pwchange.done')), h('button', { type: 'button', class: 'primary', text: t('common.close'), onclick: () => close() }));
      out.replaceChildren(message('error', status === 401 ? t('pwchange.wrongOld') : problemText(status, data, { failed: 'pwchange.failed' })));
    },
  }, h('h2', { text: t('pwchange.title') }), old.label, old.row, pw.label, pw.row, rules.list, pw2.label, pw2.row, out,
  dialogActions(t('signup.cancel'), () => close(), h('button', { type: 'submit', class: 'primary', text: t('pwchange.title') })));
  close = openDialog(form, { label: t('pwchange.title') });
}
