// @ts-check
// Strings in en, ja and ko. The page arrives in the chosen language (a cookie) or the
// browser's, with that language's strings in it; switching fetches the other catalog.
export const LANGUAGES = ['en', 'ja', 'ko'];
const KEY = 'portico.lang';
const COOKIE = 'portico_lang';
/** @type {Record<string, string>} */
let strings = {};
let current = 'en';

// The language and strings the server put in the page.
export function usePageStrings() {
  current = document.documentElement.lang || 'en';
  strings = JSON.parse(document.getElementById('portico-strings')?.textContent || '{}');
}

// A choice made before the server learned of it (kept only in this browser): tell the server,
// and say whether the page must be shown again in that language.
export function pageLanguageIsStale() {
  const stored = localStorage.getItem(KEY);
  if (stored === null || !LANGUAGES.includes(stored) || stored === current) return false;
  rememberLanguage(stored);
  return document.cookie.split('; ').includes(`${COOKIE}=${stored}`);
}

// A language picked with a link of the log-in page (`?lang=`): the server already set the
// cookie; keep it here too, and take the choice out of the address.
export function adoptLinkedLanguage() {
  const params = new URLSearchParams(location.search);
  if (!params.has('lang')) return false;
  rememberLanguage(current);
  params.delete('lang');
  const query = params.toString();
  history.replaceState(null, '', location.pathname + (query ? `?${query}` : '') + location.hash);
  return true;
}

/** @param {string} code */
function rememberLanguage(code) {
  localStorage.setItem(KEY, code);
  document.cookie = `${COOKIE}=${code}; path=/; max-age=31536000; samesite=lax`;
}

/**
 * @param {string} code
 * @param {boolean} [remember] kept for the next visit (this browser and the server)
 */
export async function loadLanguage(code, remember = false) {
  const response = await fetch(`/i18n/${code}.json`);
  strings = await response.json();
  current = code;
  document.documentElement.lang = code;
  if (remember) rememberLanguage(code);
}

export const language = () => current;

/**
 * The string for `key` in the current language, `{name}` filled from `vars`.
 * @param {string} key
 * @param {Record<string, unknown>} [vars]
 * @returns {string}
 */
export function t(key, vars = {}) {
  const text = strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}
