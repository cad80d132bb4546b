// @ts-check
// The administration pages (admins only; the manager refuses everyone else anyway): accounts,
// invitations, the audit trail. Each page renders into the shell's main area and returns its
// unmount.
import { h, field, message, uid } from '../dom.js';
import { t, language } from '../i18n.js';
import { call } from '../api.js';
import { confirmDialog, dialogActions, openDialog } from '../dialog.js';
import { problemText } from '../errors.js';
import { when } from './summary.js';

const STATUSES = ['active', 'pending', 'before-verification', 'inactive', 'deleted'];
const ROLES = ['superadmin', 'admin', 'user', 'monitor'];

function labelled(text, control) {
  control.id = control.id || uid('f');
  return h('div', { class: 'filter' }, h('label', { for: control.id, text }), control);
}

const select = (options, value = '') => h('select', {}, options.map(([v, text]) => h('option', { value: v, selected: v === value, text })));

// A request whose refusal is said in the page's notice area; true when it went through.
async function act(notify, onUnauthorized, method, path, body) {
  const { status, data } = await call(method, `/func${path}`, body);
  if (status === 401) { onUnauthorized(); return null; }
  if (status >= 200 && status < 300) return data || {};
  notify('error', status === 409 && data?.details ? data.details : problemText(status, data));
  return null;
}

function pageFrame(main, title) {
  const notice = h('div', { 'aria-live': 'polite' });
  const notify = (kind, text) => notice.replaceChildren(message(kind, text));
  const body = h('div');
  main.replaceChildren(h('h1', { text: title }), notice, body);
  return { body, notify };
}

// -- accounts ----------------------------------------------------------------------------------

export function usersPage(main, me, { onUnauthorized }) {
  const { body, notify } = pageFrame(main, t('admin.users'));
  const search = h('input', { type: 'search', maxlength: 256, placeholder: t('admin.searchHint') });
  const status = select([['', t('admin.any')], ...STATUSES.map((s) => [s, t(`status.${s}`)])]);
  const role = select([['', t('admin.any')], ...ROLES.map((r) => [r, t(`role.${r}`)])]);
  const results = h('div');
  let page = 1;
  const filters = h('form', {
    class: 'filters', role: 'search',
    onsubmit: (e) => { e.preventDefault(); page = 1; load(); },
  }, labelled(t('admin.search'), search), labelled(t('admin.status'), status), labelled(t('admin.role'), role),
  h('button', { type: 'submit', text: t('admin.find') }));
  body.replaceChildren(filters, results);
  status.addEventListener('change', () => { page = 1; load(); });
  role.addEventListener('change', () => { page = 1; load(); });

  async function load() {
    const query = new URLSearchParams({ search: search.value.trim(), status: status.value, role: role.value, page: String(page), per_page: '20' });
    const found = await act(notify, onUnauthorized, 'GET', `/admin/users?${query}`);
    if (!found) return;
    const rows = found.users.map((u) => h('tr', {},
      h('td', {}, h('div', { text: u.email }), h('div', { class: 'hint', text: [u.username, u.full_name].filter(Boolean).join(' · ') })),
      h('td', { text: t(`role.${u.role}`) }),
      h('td', {}, h('span', { class: `badge ${u.status}`, text: t(`status.${u.status}`) })),
      h('td', {}, h('button', { type: 'button', text: t('admin.manage'), 'aria-label': `${t('admin.manage')}: ${u.email}`, onclick: () => manage(u.id) }))));
    const pager = h('nav', { class: 'pager', 'aria-label': t('admin.pages') },
      h('button', { type: 'button', text: t('admin.previous'), disabled: found.page <= 1, onclick: () => { page -= 1; load(); } }),
      h('span', { text: t('admin.pageOf', { page: found.page, pages: found.pages, total: found.total }) }),
      h('button', { type: 'button', text: t('admin.next'), disabled: found.page >= found.pages, onclick: () => { page += 1; load(); } }));
    results.replaceChildren(found.users.length
      ? h('div', { class: 'table-wrap' }, h('table', {},
        h('caption', { class: 'sr', text: t('admin.users') }),
        h('thead', {}, h('tr', {}, [t('admin.account'), t('admin.role'), t('admin.status'), t('admin.actions')].map((c) => h('th', { scope: 'col', text: c })))),
        h('tbody', {}, rows)))
      : h('p', { class: 'hint', text: t('admin.noneFound') }), pager);
  }

  async function manage(id) {
    const user = await act(notify, onUnauthorized, 'GET', `/admin/users/${id}`);
    if (!user) return;
    const out = h('div');
    let close;
    const done = (text) => { close(); notify('ok', text); load(); };
    /** @param {string} name @param {{ confirm?: string }} [ask] the question asked first */
    const action = (name, { confirm } = {}) => h('button', {
      type: 'button', text: t(`admin.do.${name}`),
      onclick: async () => {
        if (confirm && !(await confirmDialog({ title: t(`admin.do.${name}`), text: t(confirm, { email: user.email }), confirm: t(`admin.do.${name}`), cancel: t('signup.cancel') }))) return;
        const ok = await act((kind, text) => out.replaceChildren(message(kind, text)), onUnauthorized, 'POST', `/admin/users/${id}/${name}`, {});
        if (ok) done(t(`admin.did.${name}`, { email: user.email }));
      },
    });
    const actions = [];
    if (user.status === 'pending') actions.push(action('approve'), action('reject', { confirm: 'admin.confirmReject' }));
    else if (user.status === 'active') actions.push(action('deactivate', { confirm: 'admin.confirmDeactivate' }));
    else if (user.status === 'inactive') actions.push(action('activate'));
    if (user.status === 'before-verification') actions.push(action('resend-verification'));
    actions.push(action('unlock'), action('require-password-change', { confirm: 'admin.confirmRequire' }), action('end-sessions'));
    if (user.two_factor) actions.push(action('clear-two-factor', { confirm: 'admin.confirmClearTwoFactor' }));
    let roleForm = null;
    if (me.role === 'superadmin') {
      const picked = select(ROLES.map((r) => [r, t(`role.${r}`)]), user.role);
      roleForm = h('form', {
        class: 'filters',
        onsubmit: async (e) => {
          e.preventDefault();
          const ok = await act((kind, text) => out.replaceChildren(message(kind, text)), onUnauthorized, 'POST', `/admin/users/${id}/role`, { role: picked.value });
          if (ok) done(t('admin.did.role', { email: user.email, role: t(`role.${picked.value}`) }));
        },
      }, labelled(t('admin.role'), picked), h('button', { type: 'submit', text: t('admin.setRole') }));
    }
    const policies = await act(notify, onUnauthorized, 'GET', '/admin/resource-policies');
    const policyPick = select((policies?.policies || []).map((p) => [p.name, p.name]), user.resource_policy || '');
    const policyForm = h('form', {
      class: 'filters',
      onsubmit: async (e) => {
        e.preventDefault();
        const ok = await act((kind, text) => out.replaceChildren(message(kind, text)), onUnauthorized, 'POST', `/admin/users/${id}/resource-policy`, { policy: policyPick.value });
        if (ok) done(t('admin.did.policy', { email: user.email, policy: policyPick.value }));
      },
    }, labelled(t('res.policy'), policyPick), h('button', { type: 'submit', text: t('res.setPolicy') }));
    const history = user.log_ins.length
      ? h('ul', { class: 'checks' }, user.log_ins.slice(0, 10).map((l) => h('li', { class: l.success ? 'good' : 'bad' },
        `${t(l.success ? 'admin.loginOk' : 'admin.loginFailed')} · `, when(l.at), ` · ${t('sec.from', { address: l.client_address || '?' })}`)))
      : h('p', { class: 'hint', text: t('admin.noLogins') });
    close = openDialog([
      h('h2', { text: user.email }),
      h('dl', { class: 'facts' },
        [[t('summary.username'), user.username], [t('summary.name'), user.full_name || '—'], [t('admin.role'), t(`role.${user.role}`)],
          [t('admin.status'), t(`status.${user.status}`)], [t('sec.sessions'), String(user.browser_sessions)],
          [t('admin.twoFactor'), t(user.two_factor ? 'tf.enabled' : 'tf.off')]]
          .map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })])),
      h('h3', { text: t('admin.recentLogins') }), history,
      roleForm, policyForm, h('div', { class: 'action-list' }, actions), out,
      dialogActions(t('common.close'), () => close(), null),
    ], { label: user.email, wide: true });
  }

  load();
  return () => {};
}

// -- invitations -------------------------------------------------------------------------------

export function invitationsPage(main, me, { onUnauthorized }) {
  const { body, notify } = pageFrame(main, t('admin.invitations'));
  const [emailLabel, email] = field(t('admin.inviteEmail'), { type: 'email', maxlength: 256, autocomplete: 'off' });
  const [usesLabel, uses] = field(t('admin.uses'), { type: 'number', min: 1, max: 1000, value: '1' });
  const [hoursLabel, hours] = field(t('admin.validHours'), { type: 'number', min: 1, max: 2160, value: '72' });
  const [projectLabel, project] = field(t('admin.project'), { type: 'text', maxlength: 64, placeholder: 'default' });
  const lang = select([['en', t('lang.en')], ['ja', t('lang.ja')], ['ko', t('lang.ko')]], language());
  const created = h('div');
  const list = h('div');
  const form = h('form', {
    class: 'panel', novalidate: true, 'aria-labelledby': 'invite-new',
    onsubmit: async (e) => {
      e.preventDefault();
      const answer = await act(notify, onUnauthorized, 'POST', '/admin/invitations', {
        email: email.value.trim() || undefined, uses: Number(uses.value), ttl_hours: Number(hours.value),
        project: project.value.trim() || undefined, language: lang.value,
      });
      if (!answer) return;
      showLink(answer.link, email.value.trim());
      form.reset();
      load();
    },
  }, h('h2', { id: 'invite-new', text: t('admin.newInvitation') }), emailLabel, email, h('p', { class: 'hint', text: t('admin.inviteEmailHint') }),
  usesLabel, uses, hoursLabel, hours, projectLabel, project, labelled(t('admin.mailLanguage'), lang),
  h('button', { type: 'submit', class: 'primary', text: t('admin.createInvitation') }));

  function showLink(link, address) {
    const box = h('input', { type: 'text', readonly: true, value: link, 'aria-label': t('admin.signupLink') });
    const copy = h('button', {
      type: 'button', text: t('admin.copy'),
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(link);
          copy.textContent = t('admin.copied');
        } catch {
          box.select();
        }
      },
    });
    created.replaceChildren(message('ok', address ? t('admin.invitationMailed', { email: address }) : t('admin.invitationMade')),
      h('div', { class: 'pw' }, box, copy));
  }

  async function load() {
    const answer = await act(notify, onUnauthorized, 'GET', '/admin/invitations');
    if (!answer) return;
    const rows = answer.invitations.map((i) => h('tr', {},
      h('td', { text: i.email || t('admin.anyone') }),
      h('td', { text: i.project }),
      h('td', { text: `${i.uses - i.uses_left} / ${i.uses}` }),
      h('td', {}, h('time', { datetime: new Date(i.expires_at * 1000).toISOString(), text: new Date(i.expires_at * 1000).toLocaleString(language()) })),
      h('td', {}, h('span', { class: `badge ${i.state}`, text: t(`invite.${i.state}`) })),
      h('td', {}, i.state === 'open' ? h('button', {
        type: 'button', text: t('admin.revoke'), 'aria-label': `${t('admin.revoke')}: ${i.email || i.id}`,
        onclick: async () => {
          const sure = await confirmDialog({ title: t('admin.revoke'), text: t('admin.confirmRevoke'), confirm: t('admin.revoke'), cancel: t('signup.cancel') });
          if (sure && await act(notify, onUnauthorized, 'DELETE', `/admin/invitations/${i.id}`)) { notify('ok', t('admin.revoked')); load(); }
        },
      }) : '')));
    list.replaceChildren(answer.invitations.length
      ? h('div', { class: 'table-wrap' }, h('table', {}, h('caption', { class: 'sr', text: t('admin.invitations') }),
        h('thead', {}, h('tr', {}, [t('admin.inviteEmail'), t('admin.project'), t('admin.used'), t('admin.expires'), t('admin.status'), t('admin.actions')].map((c) => h('th', { scope: 'col', text: c })))),
        h('tbody', {}, rows)))
      : h('p', { class: 'hint', text: t('admin.noInvitations') }));
  }

  body.replaceChildren(h('div', { class: 'grid' }, h('div', {}, form, created), h('section', { class: 'panel', 'aria-labelledby': 'invite-list' }, h('h2', { id: 'invite-list', text: t('admin.invitationList') }), list)));
  load();
  return () => {};
}

// -- the audit trail ---------------------------------------------------------------------------

const SINCE = [['3600', 'admin.lastHour'], ['86400', 'admin.lastDay'], ['604800', 'admin.lastWeek'], ['2592000', 'admin.lastMonth'], ['', 'admin.allTime']];
const KINDS = ['', 'login', 'account', 'password', 'two-factor', 'invitation', 'session', 'consent', 'keypair', 'resources'];

export function auditPage(main, me, { onUnauthorized }) {
  const { body, notify } = pageFrame(main, t('admin.audit'));
  const account = h('input', { type: 'search', maxlength: 320 });
  const kind = select(KINDS.map((k) => [k, k ? t(`kind.${k}`) : t('admin.any')]));
  const since = select(SINCE.map(([v, key]) => [v, t(key)]), '86400');
  const results = h('div');
  const more = h('button', { type: 'button', text: t('admin.older'), hidden: true, onclick: () => load(true) });
  let oldest = null;
  const filters = h('form', { class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); load(); } },
    labelled(t('admin.account'), account), labelled(t('admin.kind'), kind), labelled(t('admin.since'), since),
    h('button', { type: 'submit', text: t('admin.find') }));
  const tbody = h('tbody');
  body.replaceChildren(filters, results, more);
  kind.addEventListener('change', () => load());
  since.addEventListener('change', () => load());

  async function load(older = false) {
    const query = new URLSearchParams({ limit: '50' });
    if (account.value.trim()) query.set('account', account.value.trim().toLowerCase());
    if (kind.value) query.set('kind', kind.value);
    if (since.value) query.set('since', String(Math.floor(Date.now() / 1000) - Number(since.value)));
    if (older && oldest) query.set('before', String(oldest));
    const answer = await act(notify, onUnauthorized, 'GET', `/admin/audit?${query}`);
    if (!answer) return;
    const rows = answer.entries.map((e) => h('tr', {},
      h('td', {}, when(e.at)),
      h('td', { text: e.kind }),
      h('td', { text: e.outcome || '—' }),
      h('td', { text: e.subject || '—' }),
      h('td', { text: e.actor || '—' }),
      h('td', { text: e.client_address || '—' })));
    if (!older) tbody.replaceChildren();
    tbody.append(...rows);
    oldest = answer.entries.length ? answer.entries[answer.entries.length - 1].id : oldest;
    more.hidden = answer.entries.length < 50;
    results.replaceChildren(tbody.children.length
      ? h('div', { class: 'table-wrap' }, h('table', {}, h('caption', { class: 'sr', text: t('admin.audit') }),
        h('thead', {}, h('tr', {}, [t('admin.when'), t('admin.kind'), t('admin.outcome'), t('admin.account'), t('admin.actor'), t('admin.address')].map((c) => h('th', { scope: 'col', text: c })))),
        tbody))
      : h('p', { class: 'hint', text: t('admin.noEntries') }));
  }

  load();
  return () => {};
}

// -- resource policies and groups ----------------------------------------------------------------

const GiB = 1024 ** 3;

/**
 * @param {(kind: string, text: string) => void} notify
 * @param {() => void} onUnauthorized
 * @param {{ policy?: any, onDone: (name: string) => void }} what the policy to change (none: a new one)
 */
function policyForm(notify, onUnauthorized, { policy = null, onDone }) {
  const slots = policy?.total_resource_slots || {};
  const [nameLabel, name] = field(t('res.policyName'), { type: 'text', maxlength: 64, value: policy?.name || '', disabled: Boolean(policy) });
  const [cpuLabel, cpu] = field(t('res.cpu'), { type: 'number', min: 0, step: 'any', value: slots.cpu ?? '', placeholder: t('res.noLimitHint') });
  const [memLabel, mem] = field(t('res.memGiB'), { type: 'number', min: 0, step: 'any', value: slots.mem != null ? String(slots.mem / GiB) : '', placeholder: t('res.noLimitHint') });
  const [gpuLabel, gpu] = field(t('res.cuda.device'), { type: 'number', min: 0, step: 'any', value: slots['cuda.device'] ?? '', placeholder: t('res.noLimitHint') });
  const [maxLabel, max] = field(t('res.maxSessions'), { type: 'number', min: 0, value: String(policy?.max_concurrent_sessions ?? 1) });
  const number = (input) => (input.value.trim() === '' ? undefined : Number(input.value));
  return h('form', {
    novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      const body = { cpu: number(cpu), gpu: number(gpu), mem: mem.value.trim() === '' ? undefined : `${Number(mem.value)}g`, max_sessions: number(max) ?? 1 };
      const path = policy ? `/admin/resource-policies/${encodeURIComponent(policy.name)}` : '/admin/resource-policies';
      if (await act(notify, onUnauthorized, 'POST', path, policy ? body : { name: name.value.trim(), ...body })) onDone(name.value.trim());
    },
  }, nameLabel, name, cpuLabel, cpu, memLabel, mem, gpuLabel, gpu, maxLabel, max,
  h('button', { type: 'submit', class: 'primary', text: t(policy ? 'profile.save' : 'res.createPolicy') }));
}

export function resourcesPage(main, me, { onUnauthorized }) {
  const { body, notify } = pageFrame(main, t('nav.resources'));
  const policies = h('div');
  const groups = h('div');
  const limit = (v, unit) => (v == null ? t('res.noLimitHint') : unit(v));

  async function load() {
    const [p, g] = await Promise.all([
      act(notify, onUnauthorized, 'GET', '/admin/resource-policies'),
      act(notify, onUnauthorized, 'GET', '/admin/resource-groups'),
    ]);
    if (p) {
      policies.replaceChildren(h('div', { class: 'table-wrap' }, h('table', {}, h('caption', { class: 'sr', text: t('res.policies') }),
        h('thead', {}, h('tr', {}, [t('res.policyName'), t('res.cpu'), t('res.mem'), t('res.cuda.device'), t('res.maxSessions'), t('admin.actions')].map((c) => h('th', { scope: 'col', text: c })))),
        h('tbody', {}, p.policies.map((policy) => {
          const s = policy.total_resource_slots;
          return h('tr', {},
            h('td', { text: policy.name }),
            h('td', { text: limit(s.cpu, String) }),
            h('td', { text: limit(s.mem, (v) => `${(v / GiB).toFixed(1)} GiB`) }),
            h('td', { text: limit(s['cuda.device'], String) }),
            h('td', { text: String(policy.max_concurrent_sessions) }),
            h('td', {}, h('button', {
              type: 'button', text: t('res.edit'), 'aria-label': `${t('res.edit')}: ${policy.name}`,
              onclick: () => {
                let close;
                const form = policyForm(notify, onUnauthorized, { policy, onDone: () => { close(); notify('ok', t('res.policySaved', { name: policy.name })); load(); } });
                close = openDialog([h('h2', { text: policy.name }), form, dialogActions(t('signup.cancel'), () => close(), null)], { label: policy.name });
              },
            })));
        })))));
    }
    if (g) {
      groups.replaceChildren(h('ul', { class: 'checks' }, g.groups.map((group) => h('li', { text: group.description ? `${group.name} — ${group.description}` : group.name }))));
    }
  }

  const newPolicy = h('section', { class: 'panel', 'aria-labelledby': 'new-policy' }, h('h2', { id: 'new-policy', text: t('res.newPolicy') }),
    policyForm(notify, onUnauthorized, { onDone: (name) => { notify('ok', t('res.policySaved', { name })); load(); } }));
  const [groupLabel, groupName] = field(t('res.groupName'), { type: 'text', maxlength: 64 });
  const [descLabel, description] = field(t('res.description'), { type: 'text', maxlength: 512 });
  const newGroup = h('form', {
    novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      if (await act(notify, onUnauthorized, 'POST', '/admin/resource-groups', { name: groupName.value.trim(), description: description.value.trim() })) {
        notify('ok', t('res.groupCreated', { name: groupName.value.trim() }));
        newGroup.reset();
        load();
      }
    },
  }, h('h3', { text: t('res.newGroup') }), groupLabel, groupName, descLabel, description, h('button', { type: 'submit', class: 'primary', text: t('res.createGroup') }));
  body.replaceChildren(h('div', { class: 'grid' },
    h('section', { class: 'panel wide', 'aria-labelledby': 'policy-list' }, h('h2', { id: 'policy-list', text: t('res.policies') }), policies),
    newPolicy,
    h('section', { class: 'panel', 'aria-labelledby': 'group-list' }, h('h2', { id: 'group-list', text: t('res.groups') }), groups, newGroup)));
  load();
  return () => {};
}
