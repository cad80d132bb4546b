// @ts-check
// The Summary page: resource use against quotas, the cluster, and the account's security.
// Refreshed every 15 seconds without reloading the page.
import { h, message } from '../dom.js';
import { t, language } from '../i18n.js';
import { call } from '../api.js';
import { confirmDialog, openDialog } from '../dialog.js';
import { passwordField } from './common.js';

const REFRESH_MS = 15000;

const GiB = 1024 ** 3;
function bytes(n) {
  if (n >= GiB) return `${(n / GiB).toFixed(1)} GiB`;
  return `${(n / 1024 ** 2).toFixed(0)} MiB`;
}
const number = (n) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

// "2 of 8 cores", "2 cores (no limit)": the unit goes with the number it belongs to.
function amount(kind, used, total) {
  const unit = (n) => (kind === 'mem' ? bytes(n) : t(`unit.${kind}`, { n: number(n) }));
  if (total == null) return t('res.noLimit', { used: unit(used) });
  return t('res.of', { used: kind === 'mem' ? bytes(used) : number(used), total: unit(total) });
}

// A ring gauge: the share of the total in the middle, the label and the amount under it.
const RING = 2 * Math.PI * 15.9155; // a circumference of 100, so the dash is the percentage
function gauge(label, text, used, total) {
  const pct = total ? Math.min(100, Math.round((used / total) * 100)) : null;
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 36 36');
  svg.setAttribute('aria-hidden', 'true');
  for (const [cls, dash] of /** @type {[string, number][]} */ ([['track', 100], ['fill', pct ?? 0]])) {
    const ring = document.createElementNS('http://www.w3.org/2000/svg', 'circle');
    Object.entries({ class: cls, cx: 18, cy: 18, r: 15.9155, 'stroke-dasharray': `${(dash * RING) / 100} ${RING}` })
      .forEach(([k, v]) => ring.setAttribute(k, String(v)));
    svg.append(ring);
  }
  const level = pct == null ? '' : pct >= 90 ? 'high' : pct >= 70 ? 'mid' : '';
  const attrs = { class: `gauge ${level}`.trim(), role: 'meter', 'aria-label': label, 'aria-valuetext': text, 'aria-valuemin': '0' };
  if (pct != null) Object.assign(attrs, { 'aria-valuemax': '100', 'aria-valuenow': String(pct) });
  else Object.assign(attrs, { 'aria-valuemax': String(Math.max(used, 1)), 'aria-valuenow': String(used) });
  return h('div', attrs,
    h('div', { class: 'ring' }, svg, h('span', { class: 'pct', text: pct == null ? '—' : `${pct}%` })),
    h('div', { class: 'glabel', text: label }),
    h('div', { class: 'gamount', text }));
}

// A date in the console's language (not the browser's), relative with the exact time on hover.
export function when(epochSeconds) {
  const seconds = Math.max(0, Date.now() / 1000 - epochSeconds);
  const text = seconds < 60 ? t('time.justNow') : seconds < 3600 ? t('time.minutes', { n: Math.floor(seconds / 60) })
    : seconds < 86400 ? t('time.hours', { n: Math.floor(seconds / 3600) }) : t('time.days', { n: Math.floor(seconds / 86400) });
  const exact = new Date(epochSeconds * 1000);
  return h('time', { datetime: exact.toISOString(), title: exact.toLocaleString(language()), text });
}

function resourcePanel(data, group, reload) {
  const select = h('select', { id: 'rg', onchange: (e) => reload(e.target.value) },
    data.resource_group.groups.map((g) => h('option', { value: g, selected: g === group, text: g })));
  const kp = data.keypair;
  const rg = data.resource_group;
  const shown = data.resource_types.filter((k) => k !== 'cuda.device' || rg.total[k] || kp.limits[k] != null);
  const quota = shown.map((k) => gauge(t(`res.${k}`), amount(k, kp.allocated[k], kp.limits[k]), kp.allocated[k], kp.limits[k]));
  const sessions = kp.sessions;
  quota.push(gauge(t('res.sessions'), amount('sessions', sessions.running, sessions.allowed), sessions.running, sessions.allowed));
  const hasNodes = shown.some((k) => rg.total[k]);
  return h('section', { class: 'panel wide', 'aria-labelledby': 'res-title' },
    h('h2', { id: 'res-title', text: t('res.title') }),
    h('div', { class: 'field-inline' }, h('label', { for: 'rg', text: t('res.group') }), select),
    h('h3', { text: t('res.myQuota') }), h('div', { class: 'gauges' }, quota),
    h('h3', { text: t('res.groupUse', { group: rg.name }) }),
    hasNodes ? h('div', { class: 'gauges' }, shown.map((k) => gauge(t(`res.${k}`), amount(k, rg.used[k], rg.total[k]), rg.used[k], rg.total[k])))
      : h('p', { class: 'hint', text: t('res.empty') }));
}

// The whole cluster, for admins (a user's own sessions are in the panel above).
function systemPanel(sys) {
  const facts = h('dl', { class: 'facts' },
    h('dt', { text: t('sys.nodes') }), h('dd', { text: String(sys.connected_nodes) }),
    h('dt', { text: t('sys.active') }), h('dd', { text: String(sys.active_sessions) }));
  /** @type {HTMLElement[]} */
  const parts = [facts];
  if (sys.nodes.length) {
    parts.push(h('div', { class: 'gauges' },
      gauge(t('sys.cpu'), t('sys.cpuOf', { n: sys.connected_nodes }), sys.cpu_util, 100),
      gauge(t('sys.mem'), amount('mem', sys.mem_used, sys.mem_total), sys.mem_used, sys.mem_total)));
    parts.push(h('h3', { text: t('sys.nodeList') }), h('ul', { class: 'checks' }, sys.nodes.map((n) => h('li', { class: n.alive ? 'good' : 'bad' },
      `${n.hostname || n.id} — ${t(n.alive ? 'sys.alive' : 'sys.lost')} `, when(n.last_heartbeat)))));
  } else {
    parts.push(h('p', { class: 'hint', text: t('sys.noNodes') }));
  }
  return h('section', { class: 'panel', 'aria-labelledby': 'sys-title' }, h('h2', { id: 'sys-title', text: t('sys.title') }), parts);
}

// "Chrome 156 on Linux", from what the server parsed out of the User-Agent.
const device = (entry) => (entry.browser && entry.os ? t('sec.device', { browser: entry.browser, os: entry.os })
  : entry.browser || entry.os || t('sec.unknownDevice'));

function securityPanel(sec, reload, notify) {
  const login = (entry) => [when(entry.at), ' · ', device(entry), ' ', t('sec.from', { address: entry.client_address || '?' })];
  const facts = sec.previous_login
    ? [h('p', {}, h('strong', { text: `${t('sec.lastLogin')}: ` }), login(sec.previous_login)),
      h('p', { class: sec.failed_since_previous ? 'msg error' : 'hint', text: t('sec.failed', { count: sec.failed_since_previous }) })]
    : [h('p', { class: 'hint', text: t('sec.never') })];
  const revoke = async (s) => {
    const what = `${device(s)} ${t('sec.from', { address: s.client_address || '?' })}`;
    const sure = await confirmDialog({
      title: t('sec.revokeTitle'), text: t('sec.revokeText', { session: what }), confirm: t('sec.revoke'), cancel: t('signup.cancel'),
    });
    if (!sure) return;
    const { status } = await call('DELETE', `/func/portico/sessions/${s.id}`);
    notify(status === 200 ? 'ok' : 'error', status === 200 ? t('sec.revoked') : t('login.unknown', { status }));
    reload();
  };
  const list = h('ul', { class: 'sessions' }, sec.sessions.map((s) => h('li', { class: 'row' },
    h('span', {}, h('span', { class: 'device', title: s.user_agent, text: device(s) }), ' ',
      t('sec.from', { address: s.client_address || '?' }), ' · ', when(s.created_at)),
    s.current ? h('strong', { text: t('sec.thisSession') }) : h('button', {
      type: 'button', text: t('sec.revoke'), 'aria-label': `${t('sec.revoke')}: ${device(s)} ${t('sec.from', { address: s.client_address || '?' })}`,
      onclick: () => revoke(s),
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
    let res;
    try {
      res = await call('GET', `/func/summary?group=${encodeURIComponent(group)}`);
    } catch {
      return status.replaceChildren(message('error', t('summary.retry')));
    }
    if (res.status === 401) return onUnauthorized();
    if (res.status !== 200) return status.replaceChildren(message('error', t('summary.error', { reason: res.data?.title || res.status })));
    const data = res.data;
    const panels = [resourcePanel(data, group, load), data.system.scope === 'all' ? systemPanel(data.system) : null,
      securityPanel(data.security, load, notify),
      h('section', { class: 'panel', 'aria-labelledby': 'acct' }, h('h2', { id: 'acct', text: t('summary.account') }),
        h('dl', { class: 'facts' }, [['summary.name', me.full_name || '—'], ['summary.username', me.username], ['summary.email', me.email], ['summary.role', me.role]]
          .map(([k, v]) => [h('dt', { text: t(k) }), h('dd', { text: v })])))];
    grid.replaceChildren(...panels.filter((panel) => panel !== null));
    status.replaceChildren(t('summary.updated', { time: new Date().toLocaleTimeString(language()) }));
  }
  const timer = setInterval(load, REFRESH_MS);
  load();
  return () => clearInterval(timer);  // the shell's unmount
}

export function summaryError(main, reason) {
  main.replaceChildren(message('error', t('summary.error', { reason })));
}
