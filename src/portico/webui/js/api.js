// Talking to a webserver in session mode: /server/* and /func/*, cookies included.
let endpoint = '';

export class NetworkError extends Error {}

export function setEndpoint(url) {
  endpoint = url.replace(/\/+$/, '');
}

export const getEndpoint = () => endpoint;

export async function call(method, path, body) {
  const init = { method, credentials: 'include', headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
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

// Is there a portico (or Backend.AI) webserver at the endpoint?
export async function probe() {
  const { status, data } = await call('GET', '/func/');
  return status === 200 && data && typeof data.version === 'string' && data.version.startsWith('v');
}
