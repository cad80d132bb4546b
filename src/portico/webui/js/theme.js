// @ts-check
// Light, dark or the system's: chosen from the user menu and kept in a cookie, so that the
// server sends the next page in it (no flash of the other theme).
const COOKIE = 'portico_theme';
export const THEMES = ['system', 'light', 'dark'];

export const currentTheme = () => document.documentElement.dataset.theme || 'system';

export function setTheme(theme) {
  if (theme === 'light' || theme === 'dark') {
    document.documentElement.dataset.theme = theme;
    document.cookie = `${COOKIE}=${theme}; path=/; max-age=31536000; samesite=lax`;
  } else {
    delete document.documentElement.dataset.theme;
    document.cookie = `${COOKIE}=; path=/; max-age=0; samesite=lax`;
  }
}
