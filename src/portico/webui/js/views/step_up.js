// @ts-check
// Step-up ("sudo mode"): the actions that add or remove an authenticator, or replace the API
// keypair, need the password given again a moment ago. When the server says so, a small
// dialog asks for it (or for a code of the authenticator app), then the action goes on.
import { h, message } from '../dom.js';
import { t } from '../i18n.js';
import { call } from '../api.js';
import { dialogActions, openDialog } from '../dialog.js';
import { passwordField } from './common.js';
import { codeInput } from './two_factor.js';

// What a call answers when the person closed the dialog instead: nothing to report.
/** @type {import('../api.js').Answer} */
export const CANCELLED = Object.freeze({ status: 0, data: null, headers: new Headers(), cancelled: true });

/** @param {import('../api.js').Answer} answer */
const stepUpAsked = ({ status, data }) => status === 401 && typeof data?.type === 'string' && data.type.endsWith('/step-up-required');

// `call`, but a step-up the server asks for is given first (then the call is sent again).
/**
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<import('../api.js').Answer>}
 */
export async function callWithStepUp(method, path, body) {
  const answer = await call(method, path, body);
  if (!stepUpAsked(answer)) return answer;
  const given = await askForStepUp(answer.data.methods || ['password']);
  return given ? call(method, path, body) : CANCELLED;
}

function askForStepUp(methods) {
  return new Promise((resolve) => {
    let done = false;
    const pw = passwordField(t('login.password'), { autocomplete: 'current-password', autofocus: true, maxlength: 256 });
    const [codeLabel, code] = methods.includes('totp') ? codeInput(t('tf.code')) : [null, null];
    const out = h('div');
    const go = h('button', { type: 'submit', class: 'primary', text: t('stepUp.confirm') });
    let close;
    const form = h('form', {
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        const password = pw.input.value;
        const otp = code ? code.value.trim() : '';
        if (!password && !otp) return out.replaceChildren(message('error', t('stepUp.empty')));
        go.disabled = true;
        const { status } = await call('POST', '/func/portico/step-up', password ? { password } : { code: otp });
        go.disabled = false;
        if (status === 200) {
          done = true;
          return close();
        }
        out.replaceChildren(message('error', t(status === 429 ? 'common.tooMany' : 'stepUp.wrong')));
      },
    }, h('h2', { text: t('stepUp.title') }), h('p', { text: t('stepUp.text') }), pw.label, pw.row,
    ...(code ? [h('p', { class: 'hint', text: t('stepUp.orCode') }), codeLabel, code] : []),
    out, dialogActions(t('signup.cancel'), () => close(), go));
    close = openDialog(form, { label: t('stepUp.title'), onClose: () => resolve(done) });
  });
}
