// The Summary page: resource use against quotas, the cluster, and the account's security.
// Refreshed every 15 seconds without reloading the page.
import { h, message } from '../dom.js';
import { t } from '../i18n.js';
import { call } from '../api.js';
import { openDialog } from '../dialog.js';
import { passwordField } from './common.js';

const REFRESH_MS = 15000;
let timer = null;

const GiB = 1024 ** 3;
function bytes(n) {
  if (n >= GiB) return `${(n / GiB).toFixed(1)} GiB`;
  return `${(n / 1024 ** 2).toFixed(0)} MiB`;
}
const number = (n) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

function amount(kind, used, total) {
  if (kind === 'mem') return t('res.bytes', { used: bytes(used), total: total == null ? t('res.unlimited') : bytes(total) });
  const key = kind === 'cpu' ? 'res.cores' : 'res.devices';
  return t(key, { used: number(used), total: total == null ? t('res.unlimited') : number(total) });
}

function bar(label, text, used, total) {
  const pct = total ? Math.min(100, Math.round((used / total) * 100)) : 0;
  const fill = h('span');
  fill.style.width = `${pct}%`; // CSSOM, which the CSP allows (a style attribute it would not)
  return h('div', { class: 'meter' },
    h('div', { class: 'row' }, h('span', { text: label }), h('span', { text: total ? `${text} · ${pct}%` : text })),
    h('div', { class: 'bar', role: 'progressbar', 'aria-label': label, 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(pct) },
      fill));
}

function when(epochSeconds) {
  const seconds = Math.max(0, Date.now() / 1000 - epochSeconds);
  const text = seconds < 60 ? t('time.justNow') : seconds < 3600 ? t('time.minutes', { n: Math.floor(seconds / 60) })
    : seconds < 86400 ? t('time.hours', { n: Math.floor(seconds / 3600) }) : t('time.days', { n: Math.floor(seconds / 86400) });
  const exact = new Date(epochSeconds * 1000);
  return h('time', { datetime: exact.toISOString(), title: exact.toLocaleString(), text });
}

function resourcePanel(data, group, reload) {
  const select = h('select', { id: 'rg', onchange: (e) => reload(e.target.value) },
    data.resource_group.groups.map((g) => h('option', { value: g, selected: g === group, text: g })));
  const kp = data.keypair;
  const rg = data.resource_group;
  const shown = data.resource_types.filter((k) => k !== 'cuda.device' || rg.total[k] || kp.limits[k] != null);
  const quota = shown.map((k) => bar(t(`res.${k}`), amount(k, kp.allocated[k], kp.limits[k]), kp.allocated[k], kp.limits[k]));
  const sessions = kp.sessions;
  quota.push(bar(t('res.sessions'), `${sessions.running} / ${sessions.allowed ?? t('res.unlimited')}`, sessions.running, sessions.allowed));
  const hasNodes = shown.some((k) => rg.total[k]);
  return h('section', { class: 'panel', 'aria-labelledby': 'res-title' },
    h('h2', { id: 'res-title', text: t('res.title') }),
    h('label', { for: 'rg', text: t('res.group') }), select,
    h('h3', { text: t('res.myQuota') }), quota,
    h('h3', { text: t('res.groupUse') }),
    hasNodes ? shown.map((k) => bar(t(`res.${k}`), amount(k, rg.used[k], rg.total[k]), rg.used[k], rg.total[k]))
      : h('p', { class: 'hint', text: t('res.empty') }));
}

function systemPanel(sys) {
  const rows = [h('dt', { text: t(sys.scope === 'all' ? 'sys.active' : 'sys.activeOwn') }), h('dd', { text: String(sys.active_sessions) })];
  const parts = [h('dl', { class: 'facts' }, rows)];
  if (sys.scope === 'all') {
    rows.unshift(h('dt', { text: t('sys.nodes') }), h('dd', { text: String(sys.connected_nodes) }));
    if (sys.nodes.length) {
      parts.push(bar(t('sys.cpu'), `${sys.cpu_util.toFixed(0)}%`, sys.cpu_util, 100));
      parts.push(bar(t('sys.mem'), t('res.bytes', { used: bytes(sys.mem_used), total: bytes(sys.mem_total) }), sys.mem_used, sys.mem_total));
      parts.push(h('ul', { class: 'checks' }, sys.nodes.map((n) => h('li', { class: n.alive ? 'good' : 'bad' },
        `${n.hostname || n.id} — ${t(n.alive ? 'sys.alive' : 'sys.lost')} `, when(n.last_heartbeat)))));
    } else {
      parts.push(h('p', { class: 'hint', text: t('sys.noNodes') }));
    }
  }
  return h('section', { class: 'panel', 'aria-labelledby': 'sys-title' }, h('h2', { id: 'sys-title', text: t('sys.title') }), parts);
}

function securityPanel(sec, reload, notify) {
  const login = (entry) => [when(entry.at), ' ', t('sec.from', { address: entry.client_address || '?' }), ' · ', entry.user_agent];
  const facts = sec.previous_login
    ? [h('p', {}, h('strong', { text: `${t('sec.lastLogin')}: ` }), login(sec.previous_login)),
      h('p', { class: sec.failed_since_previous ? 'msg error' : 'hint', text: t('sec.failed', { count: sec.failed_since_previous }) })]
    : [h('p', { class: 'hint', text: t('sec.never') })];
  const list = h('ul', { class: 'sessions' }, sec.sessions.map((s) => h('li', { class: 'row' },
    h('span', {}, when(s.created_at), ' ', t('sec.from', { address: s.client_address || '?' }), ' · ', s.user_agent.slice(0, 60)),
    s.current ? h('strong', { text: t('sec.thisSession') }) : h('button', {
      type: 'button', text: t('sec.revoke'), 'aria-label': `${t('sec.revoke')} ${s.client_address}`,
      onclick: async () => {
        const { status } = await call('DELETE', `/func/portico/sessions/${s.id}`);
        notify(status === 200 ? 'ok' : 'error', status === 200 ? t('sec.revoked') : t('login.unknown', { status }));
        reload();
      },
    }))));
  const others = h('button', { type: 'button', text: t('sec.signOutOthers'), onclick: () => signOutOthers(notify, reload) });
  return h('section', { class: 'panel', 'aria-labelledby': 'sec-title' },
    h('h2', { id: 'sec-title', text: t('sec.title') }), facts, h('h3', { text: t('sec.sessions') }), list,
    sec.sessions.length > 1 ? others : null);
}

function signOutOthers(notify, reload) {
  const pw = passwordField(t('login.password'), { autofocus: true });
  const err = h('div');
  let close;
  const form = h('form', {
    novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      const { status } = await call('POST', '/func/portico/sessions/sign-out-others', { password: pw.input.value });
      if (status !== 200) return err.replaceChildren(message('error', status === 429 ? t('common.tooMany') : t('pwchange.wrongOld')));
      close();
      notify('ok', t('sec.signedOut'));
      reload();
    },
  }, h('h2', { text: t('sec.signOutOthers') }), h('p', { text: t('sec.confirmPassword') }), pw.label, pw.row, err,
  h('button', { type: 'submit', class: 'primary', text: t('sec.signOutOthers') }));
  close = openDialog(form, { label: t('sec.signOutOthers') });
}

export function summaryPage(main, me, { onUnauthorized }) {
  let group = 'default';
  const status = h('p', { class: 'hint', 'aria-live': 'polite' });
  // Outside the panels, so that a refresh does not wipe the outcome of an action.
  const notice = h('div');
  const notify = (kind, text) => notice.replaceChildren(message(kind, text));
  const grid = h('div', { class: 'grid' });
  main.replaceChildren(h('h1', { text: t('summary.title') }), status, notice, grid);
  async function load(newGroup) {
    if (newGroup) group = newGroup;
    if (!main.isConnected) return clearInterval(timer);
    let res;
    try {
      res = await call('GET', `/func/summary?group=${encodeURIComponent(group)}`);
    } catch {
      return status.replaceChildren(message('error', t('summary.retry')));
    }
    if (res.status === 401) return onUnauthorized();
    if (res.status !== 200) return status.replaceChildren(message('error', t('summary.error', { reason: res.data?.title || res.status })));
    const data = res.data;
    grid.replaceChildren(resourcePanel(data, group, load), systemPanel(data.system), securityPanel(data.security, load, notify),
      h('section', { class: 'panel', 'aria-labelledby': 'acct' }, h('h2', { id: 'acct', text: t('summary.account') }),
        h('dl', { class: 'facts' }, [['summary.name', me.full_name || '—'], ['summary.username', me.username], ['summary.email', me.email], ['summary.role', me.role]]
          .map(([k, v]) => [h('dt', { text: t(k) }), h('dd', { text: v })]))));
    status.replaceChildren(t('summary.updated', { time: new Date().toLocaleTimeString() }));
  }
  clearInterval(timer);
  timer = setInterval(load, REFRESH_MS);
  return load();
}

export function summaryError(main, reason) {
  main.replaceChildren(message('error', t('summary.error', { reason })));
}
