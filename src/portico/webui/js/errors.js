// @ts-check
// One place that turns the server's refusals into words: by the problem document's type (and
// the HTTP status), never by its English title or details.
import { t } from './i18n.js';

export const problemType = (data) => (data?.type || '').split('/').pop();

// The server's reasons, each in the reader's language where the console knows its code,
// else as the server wrote it.
export function reasons(data) {
  if (data && Array.isArray(data.reasons) && data.reasons.length) {
    return data.reasons.map((r) => {
      const text = t(`weak.${r.code}`, { limit: r.limit });
      return text === `weak.${r.code}` ? r.message : text;
    }).join(' ');
  }
  return (data && (data.details || data.title)) || '';
}

// `failed`: the key that frames a rejected password ("Sign-up failed: ..." or "The password
// was not changed: ...").
export function problemText(status, data, { failed = 'signup.failed' } = {}) {
  switch (problemType(data)) {
    case 'weak-password': return t(failed, { reason: reasons(data) });
    case 'same-password': return t('expired.same');
    case 'username-already-exists': return t('signup.usernameTaken');
    case 'too-many-requests': return t('common.tooMany');
    default: break;
  }
  if (status === 429) return t('common.tooMany');
  if (status === 403) return t('common.disabled');
  if (status === 400 && data?.details) return data.details;
  return t('login.unknown', { status });
}
