// The one way the app talks to `pareto serve`: JSON over /api/v1 with the bearer token the
// server printed in the dashboard URL (#token=...), kept in sessionStorage for this tab only.

const KEY = 'pareto.token';

// Moves a token from the address bar into sessionStorage so it is not left in the history
// or copied along with a link.
export function takeTokenFromUrl() {
  const m = location.hash.match(/(?:^#|&)token=([^&]+)/);
  if (!m) return;
  sessionStorage.setItem(KEY, decodeURIComponent(m[1]));
  history.replaceState(null, '', location.pathname + location.search + '#/');
}

export function hasToken() {
  return !!sessionStorage.getItem(KEY);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  const token = sessionStorage.getItem(KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'network', `The server did not answer (${e.message}); is pareto serve running?`);
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const err = data && data.error ? data.error : { code: `http_${res.status}`, message: `${res.status} ${res.statusText}` };
    if (res.status === 401) onUnauthorized(err);
    throw new ApiError(res.status, err.code, err.message);
  }
  return data;
}
