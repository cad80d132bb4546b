// Strings in en, ja and ko; the language follows the browser until the user picks one.
export const LANGUAGES = ['en', 'ja', 'ko'];
const KEY = 'portico.lang';
let strings = {};
let current = 'en';

export function preferredLanguage() {
  const stored = localStorage.getItem(KEY);
  if (LANGUAGES.includes(stored)) return stored;
  for (const tag of navigator.languages || [navigator.language]) {
    const code = (tag || '').slice(0, 2).toLowerCase();
    if (LANGUAGES.includes(code)) return code;
  }
  return 'en';
}

export async function loadLanguage(code, remember = false) {
  const response = await fetch(`/i18n/${code}.json`);
  strings = await response.json();
  current = code;
  document.documentElement.lang = code;
  if (remember) localStorage.setItem(KEY, code);
}

export const language = () => current;

export function t(key, vars = {}) {
  const text = strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}
