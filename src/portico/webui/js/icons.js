// @ts-check
// Inline SVG icons (no icon font, no download).
const NS = 'http://www.w3.org/2000/svg';
/** @type {Record<string, string>} */
const PATHS = {
  mark: 'M4 20V8l8-5 8 5v12h-5v-7H9v7z',
  summary: 'M4 13h6V4H4zm0 7h6v-5H4zm8 0h8v-9h-8zm0-16v5h8V4z',
  user: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm0 2c-4 0-8 2-8 5v1h16v-1c0-3-4-5-8-5z',
  chevronLeft: 'M15 6l-6 6 6 6',
  chevronRight: 'M9 6l6 6-6 6',
  eye: 'M12 5c-5 0-9 4-10 7 1 3 5 7 10 7s9-4 10-7c-1-3-5-7-10-7zm0 11a4 4 0 1 1 0-8 4 4 0 0 1 0 8z',
  folder: 'M3 6h7l2 2h9v11H3z',
  users: 'M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7zm7 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM2 20c0-3.5 3.5-6 7-6s7 2.5 7 6zm15 0c0-2-.6-3.7-1.8-5 3 .2 6.8 1.8 6.8 5z',
  invite: 'M3 5h18v14H3zm2 2v.5l7 4.5 7-4.5V7l-7 4.5z',
  resources: 'M4 4h16v6H4zm2 2v2h2V6zM4 14h16v6H4zm2 2v2h2v-2z',
  audit: 'M6 2h9l5 5v15H6zm8 1.5V8h4.5zM9 12h8v1.5H9zm0 3.5h8V17H9zm0-7h4V10H9z',
};

/**
 * @param {string} name one of PATHS
 * @param {number} [size] in CSS pixels
 */
export function icon(name, size = 20) {
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', PATHS[name]);
  const stroked = name.startsWith('chevron');
  path.setAttribute('fill', stroked ? 'none' : 'currentColor');
  if (stroked) {
    path.setAttribute('stroke', 'currentColor');
    path.setAttribute('stroke-width', '2');
  }
  svg.append(path);
  return svg;
}
