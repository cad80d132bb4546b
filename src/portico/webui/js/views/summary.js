// The Summary page: the signed-in account (resource panels arrive with the resources work).
import { h, message } from '../dom.js';
import { t } from '../i18n.js';

export function summaryPage(main, me) {
  const facts = [
    ['summary.name', me.full_name || '—'],
    ['summary.username', me.username],
    ['summary.email', me.email],
    ['summary.role', me.role],
  ];
  main.replaceChildren(
    h('h1', { text: t('summary.title') }),
    h('div', { class: 'grid' },
      h('section', { class: 'panel', 'aria-labelledby': 'acct' },
        h('h2', { id: 'acct', text: t('summary.account') }),
        h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', { text: t(k) }), h('dd', { text: v })])))),
  );
}

export function summaryError(main, reason) {
  main.replaceChildren(message('error', t('summary.error', { reason })));
}
