// @ts-check
// Talking to a webserver in session mode: /server/* and /func/*, cookies included.
let endpoint = '';

export class NetworkError extends Error {}

/** @param {string} url */
export function setEndpoint(url) {
  endpoint = url.replace(/\/+$/, '');
}

export const getEndpoint = () => endpoint;

/**
 * `cancelled`: the person closed a dialog the call needed (a step-up) instead.
 * @typedef {{ status: number, data: any, headers: Headers, cancelled?: boolean }} Answer
 */

/**
 * One request to the webserver; its JSON answer (or null) with the status.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body] sent as JSON
 * @returns {Promise<Answer>}
 */
export async function call(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = {};
  /** @type {RequestInit} */
  const init = { method, credentials: 'include', headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(endpoint + path, init);
  } catch (error) {
    throw new NetworkError(String(error));
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { status: response.status, data, headers: response.headers };
}

// Is there a portico (or Backend.AI) webserver at the endpoint? True, false (something else
// answers there), or a NetworkError (nothing answers at all).
export async function probe() {
  try {
    const { status, data } = await call('GET', '/func/');
    return status === 200 && data && typeof data.version === 'string' && data.version.startsWith('v');
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    // A server of another origin that allows no cross-origin reading looks unreachable to
    // fetch; an opaque request still tells whether anything answers.
    try {
      await fetch(endpoint + '/', { mode: 'no-cors', credentials: 'omit' });
    } catch {
      throw error;
    }
    return false;
  }
}
