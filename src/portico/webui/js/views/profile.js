// @ts-check
// The profile page (from the user menu): one's name, password, API keypair, language, theme.
import { h, field, message } from '../dom.js';
import { t, language, loadLanguage, LANGUAGES } from '../i18n.js';
import { call } from '../api.js';
import { confirmDialog, dialogActions, openDialog } from '../dialog.js';
import { problemText } from '../errors.js';
import { THEMES, currentTheme, setTheme } from '../theme.js';
import { passwordField } from './common.js';
import { codeInput, enrolmentDialog, recoveryCodesDialog } from './two_factor.js';
import { createPasskey, passkeysSupported } from '../passkeys.js';
import { callWithStepUp } from './step_up.js';

function panel(id, title, ...children) {
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id, text: title }), ...children);
}

// A value with a copy button (the new secret key is shown once).
function copyable(label, value) {
  const box = h('input', { type: 'text', readonly: true, value, 'aria-label': label });
  const copy = h('button', {
    type: 'button', text: t('admin.copy'), 'aria-label': `${t('admin.copy')}: ${label}`,
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(value);
        copy.textContent = t('admin.copied');
      } catch {
        box.select();
      }
    },
  });
  return [h('label', { text: label }), h('div', { class: 'pw' }, box, copy)];
}

export function profilePage(main, me, { config, onUnauthorized, changePassword, rerender }) {
  const notice = h('div', { 'aria-live': 'polite' });
  const notify = (kind, text) => notice.replaceChildren(message(kind, text));

  const [nameLabel, name] = field(t('profile.fullName'), { type: 'text', maxlength: 64, value: me.full_name || '', autocomplete: 'name' });
  const nameForm = h('form', {
    novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      const { status, data } = await call('POST', '/func/auth/update-full-name', { email: me.email, full_name: name.value.trim() });
      if (status === 401) return onUnauthorized();
      if (status !== 200) return notify('error', problemText(status, data));
      me.full_name = name.value.trim();
      notify('ok', t('profile.nameSaved'));
    },
  }, nameLabel, name, h('button', { type: 'submit', class: 'primary', text: t('profile.save') }));

  const account = panel('profile-account', t('summary.account'),
    h('dl', { class: 'facts' }, [[t('summary.email'), me.email], [t('summary.username'), me.username], [t('admin.role'), t(`role.${me.role}`)]]
      .map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })])),
    nameForm);

  const password = panel('profile-password', t('pwchange.title'), h('p', { class: 'hint', text: t('profile.passwordText') }),
    h('button', { type: 'button', text: t('shell.changePassword'), onclick: () => changePassword() }));

  const twoFactor = twoFactorPanel({ notify, onUnauthorized });
  const passkeys = passkeysPanel({ enabled: Boolean(config?.twoFactor?.passkeys) && passkeysSupported(), notify, onUnauthorized });

  const newKeys = h('div');
  const accessKey = h('code', { text: me.access_key || '—' });
  const keypair = panel('profile-keypair', t('profile.keypair'),
    h('p', { class: 'hint', text: t('profile.keypairText') }),
    h('dl', { class: 'facts' }, h('dt', { text: t('profile.accessKey') }), h('dd', {}, accessKey)),
    h('button', {
      type: 'button', text: t('profile.replaceKeypair'),
      onclick: async () => {
        const sure = await confirmDialog({ title: t('profile.replaceKeypair'), text: t('profile.replaceConfirm'), confirm: t('profile.replace'), cancel: t('signup.cancel') });
        if (!sure) return;
        const { status, data, cancelled } = await callWithStepUp('POST', '/server/replace-keypair');
        if (cancelled) return;
        if (status === 401) return onUnauthorized();
        if (status !== 200) return notify('error', problemText(status, data));
        me.access_key = data.access_key;
        accessKey.textContent = data.access_key;
        newKeys.replaceChildren(message('ok', t('profile.keypairReplaced')),
          ...copyable(t('profile.accessKey'), data.access_key), ...copyable(t('profile.secretKey'), data.secret_key));
      },
    }), newKeys);

  const choose = (label, options, current, onchange) => {
    const id = `profile-${label}`;
    return [h('label', { for: id, text: t(label) }),
      h('select', { id, onchange: (e) => onchange(e.target.value) }, options.map(([v, text]) => h('option', { value: v, selected: v === current, text })))];
  };
  const preferences = panel('profile-preferences', t('profile.preferences'),
    choose('shell.language', LANGUAGES.map((code) => [code, t(`lang.${code}`)]), language(), async (code) => { await loadLanguage(code, true); rerender(); }),
    choose('shell.theme', THEMES.map((name) => [name, t(`theme.${name}`)]), currentTheme(), (name) => setTheme(name)));

  const sessions = panel('profile-sessions', t('sec.sessions'), h('p', {}, t('profile.sessionsText'), ' ',
    h('a', { href: '/summary', text: t('nav.summary') })));

  main.replaceChildren(h('h1', { text: t('profile.title') }), notice, h('div', { class: 'grid' }, account, password, twoFactor, passkeys, keypair, preferences, sessions));
  return () => {};
}

// Two-factor log-in: its state, turning it on (the enrolment dialog), new recovery codes and
// turning it off (each with the password and a code).
function twoFactorPanel({ notify, onUnauthorized }) {
  const body = h('div', { 'aria-live': 'polite' });
  const section = panel('profile-two-factor', t('tf.title'), h('p', { class: 'hint', text: t('tf.text') }), body);

  async function show() {
    const { status, data } = await call('GET', '/func/portico/two-factor');
    if (status === 401) return onUnauthorized();
    if (status !== 200 || data.mode === 'off') {
      section.hidden = true;
      return;
    }
    const state = h('p', { class: 'state', text: data.enabled ? t('tf.on', { n: data.recovery_codes_left }) : t('tf.off') });
    if (!data.enabled) {
      return body.replaceChildren(state, h('button', { type: 'button', class: 'primary', text: t('tf.turnOn'), onclick: turnOn }));
    }
    const renew = h('button', { type: 'button', text: t('tf.renew'), onclick: renewCodes });
    const off = data.mode === 'required'
      ? h('p', { class: 'hint', text: t('tf.requiredHere') })
      : h('button', { type: 'button', text: t('tf.turnOff'), onclick: turnOff });
    body.replaceChildren(state, h('div', { class: 'row' }, renew, off));
  }

  async function turnOn() {
    const answer = await enrolmentDialog({
      begin: () => callWithStepUp('POST', '/func/portico/two-factor/totp'),
      confirm: (code) => callWithStepUp('POST', '/func/portico/two-factor/totp/confirm', { code }),
      onDone: () => { notify('ok', t('tf.turnedOn')); show(); },
    });
    if (answer.cancelled) return;
    if (answer.status === 401) return onUnauthorized();
    if (answer.status !== 200) notify('error', problemText(answer.status, answer.data));
  }

  function turnOff() {
    passwordAndCodeDialog({
      title: t('tf.offTitle'), action: t('tf.turnOff'), path: '/func/portico/two-factor/totp/disable',
      onOk: () => { notify('ok', t('tf.turnedOff')); show(); },
    });
  }

  function renewCodes() {
    passwordAndCodeDialog({
      title: t('tf.renewTitle'), action: t('tf.renew'), path: '/func/portico/two-factor/recovery-codes',
      onOk: (data) => recoveryCodesDialog(data.recovery_codes, () => { notify('ok', t('tf.renewed')); show(); }),
    });
  }

  show();
  return section;
}

// Asks for the password and a code (the changes that need both), sends them to `path`, and
// hands the answer to `onOk`.
function passwordAndCodeDialog({ title, action, path, onOk }) {
  const pw = passwordField(t('login.password'), { autocomplete: 'current-password', autofocus: true });
  const [codeLabel, code] = codeInput(t('tf.code'));
  const out = h('div');
  const go = h('button', { type: 'submit', class: 'primary', text: action });
  let close;
  const form = h('form', {
    novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      if (!pw.input.value || !code.value.trim()) return out.replaceChildren(message('error', t('tf.offText')));
      go.disabled = true;
      try {
        const { status, data } = await call('POST', path, { password: pw.input.value, code: code.value.trim() });
        if (status === 200) {
          close();
          return onOk(data);
        }
        const text = status === 401 ? t(data?.code === 'invalid-otp' ? 'login.wrongCode' : 'login.mismatch')
          : status === 429 ? t('common.tooMany') : problemText(status, data);
        out.replaceChildren(message('error', text));
      } finally {
        go.disabled = false;
      }
    },
  }, h('h2', { text: title }), h('p', { class: 'hint', text: t('tf.offText') }),
  pw.label, pw.row, codeLabel, code, out, dialogActions(t('signup.cancel'), () => close(), go));
  close = openDialog(form, { label: title });
}

// Passkeys: the account's list (each named, removable) and a new one from this device.
function passkeysPanel({ enabled, notify, onUnauthorized }) {
  const list = h('div', { 'aria-live': 'polite' });
  const [nameLabel, name] = field(t('pk.name'), { type: 'text', maxlength: 64, autocomplete: 'off' });
  const add = h('button', { type: 'submit', text: t('pk.add') });
  const form = h('form', { novalidate: true, onsubmit: (e) => { e.preventDefault(); register(); } }, nameLabel, name, add);
  const section = panel('profile-passkeys', t('pk.title'), h('p', { class: 'hint', text: t('pk.text') }), list, form);
  section.hidden = true;

  const day = (iso) => new Date(iso).toLocaleDateString(document.documentElement.lang || undefined);

  async function show() {
    const { status, data } = await call('GET', '/func/portico/passkeys');
    if (status === 401) return onUnauthorized();
    if (status !== 200) return;
    section.hidden = false;
    list.replaceChildren(data.passkeys.length
      ? h('ul', { class: 'passkeys' }, data.passkeys.map((p) => h('li', {},
        h('span', {}, h('strong', { text: p.name }), h('span', { class: 'hint', text: ` · ${t('pk.created', { date: day(p.created_at) })}${p.last_used_at ? ` · ${t('pk.lastUsed', { date: day(p.last_used_at) })}` : ''}` })),
        h('button', { type: 'button', text: t('pk.remove'), 'aria-label': `${t('pk.remove')}: ${p.name}`, onclick: () => remove(p) }))))
      : h('p', { class: 'hint', text: t('pk.none') }));
  }

  async function register() {
    add.disabled = true;
    try {
      const options = await callWithStepUp('POST', '/func/portico/passkeys/register-options');
      if (options.cancelled) return;
      if (options.status === 401) return onUnauthorized();
      if (options.status !== 200) return notify('error', problemText(options.status, options.data));
      let credential;
      try {
        credential = await createPasskey(options.data);
      } catch {
        return notify('error', t('pk.cancelled'));
      }
      const { status, data } = await callWithStepUp('POST', '/func/portico/passkeys', { name: name.value.trim(), credential });
      if (status !== 201) return notify('error', problemText(status, data));
      name.value = '';
      notify('ok', t('pk.added'));
      return show();
    } finally {
      add.disabled = false;
    }
  }

  async function remove(passkey) {
    const sure = await confirmDialog({ title: t('pk.remove'), text: t('pk.removeConfirm', { name: passkey.name }), confirm: t('pk.remove'), cancel: t('signup.cancel') });
    if (!sure) return;
    const { status, data, cancelled } = await callWithStepUp('DELETE', `/func/portico/passkeys/${passkey.id}`);
    if (cancelled) return;
    if (status === 401) return onUnauthorized();
    if (status !== 200) return notify('error', problemText(status, data));
    notify('ok', t('pk.removed'));
    show();
  }

  if (enabled) show();
  return section;
}
