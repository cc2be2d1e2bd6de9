// The dashboard's helpers: DOM building (text only, never HTML) and the admin API under ./api.
export const api = 'api/';
export const state = { capabilities: { actions: false, antiforgery_token: null } };

export const $ = id => document.getElementById(id);

export const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v; else if (k === 'text') node.textContent = v; else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
};

export function showError(message) {
  const box = $('error');
  box.textContent = message || '';
  box.hidden = !message;
}

export async function get(path) {
  const response = await fetch(api + path, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || `${response.status} ${response.statusText}`);
  return body;
}

export async function post(path, body) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (state.capabilities.antiforgery_token) headers.RequestVerificationToken = state.capabilities.antiforgery_token;
  const response = await fetch(api + path, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'same-origin' });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.detail || `${response.status} ${response.statusText}`);
  return answer;
}

export const ago = ms => ms == null ? 'none' : `${(ms / 1000).toFixed(1)} s ago`;
export const time = iso => iso ? new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
