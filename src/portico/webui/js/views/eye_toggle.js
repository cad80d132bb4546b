// @ts-check
import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';

// The button that shows or hides what a password field holds.
export function eyeToggle(input) {
  const toggle = h('button', {
    type: 'button', class: 'iconbtn', 'aria-label': t('login.show'), 'aria-pressed': 'false',
    onclick: () => {
      const shown = input.type === 'password';
      input.type = shown ? 'text' : 'password';
      toggle.setAttribute('aria-pressed', String(shown));
      toggle.setAttribute('aria-label', t(shown ? 'login.hide' : 'login.show'));
    },
  }, icon('eye'));
  return toggle;
}
