// Calls to our own API. Errors come back as {error, message}; callers show a translated text.
export class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

// A read that gets no answer within READ_TIMEOUT_MS is tried again after 1 s and then 3 s;
// a write is tried once (the outbox sends it again, with its Idempotency-Key).
const READ_TIMEOUT_MS = 12000;
const WRITE_TIMEOUT_MS = 20000;
const READ_RETRIES_MS = [1000, 3000];

// No answer at all: offline, a dropped connection or a timeout. The write may or may not have
// landed, which is why writes carry idempotency keys.
export class NetworkError extends Error {
  constructor(message) { super(message); this.code = 'network'; this.status = 0; }
}

// Tells the page how the network is: {online} after each call, and {savedAt} when an answer
// came from the service worker's copy rather than the server.
// The reads made so far, so that a service worker that takes over the page later can keep a
// copy of them (js/offline.js asks again through it).
const reads = new Set();
export function pastReads() { return [...reads]; }

function signal(detail) {
  window.dispatchEvent(new CustomEvent('antes:network', { detail }));
}

async function once(url, init, timeoutMs) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  try {
    return await fetch(url, { ...init, signal: ctrl.signal });
  } catch (err) {
    throw new NetworkError(err?.message ?? 'network');
  } finally {
    clearTimeout(timer);
  }
}

export async function api(path, { method = 'GET', body, query, headers = {} } = {}) {
  let url = path;
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === '') continue;
      if (Array.isArray(v)) v.forEach((x) => qs.append(k, x)); else qs.set(k, v);
    }
    const s = qs.toString();
    if (s) url += `?${s}`;
  }
  const init = { method, headers: { ...headers }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const read = method === 'GET';
  let res;
  for (let attempt = 0; ; attempt += 1) {
    try {
      res = await once(url, init, read ? READ_TIMEOUT_MS : WRITE_TIMEOUT_MS);
      break;
    } catch (err) {
      signal({ online: false });
      if (!read || attempt >= READ_RETRIES_MS.length || !navigator.onLine) throw err;
      await new Promise((resolve) => { setTimeout(resolve, READ_RETRIES_MS[attempt]); });
    }
  }
  const savedAt = Number(res.headers.get('X-Antes-Saved-At')) || null;
  signal(savedAt ? { online: false, savedAt } : { online: true });
  if (read && res.ok && !savedAt && reads.size < 50) reads.add(url);
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, data?.error ?? 'error', data?.message ?? res.statusText);
  return data;
}

// Builds DOM without innerHTML: el('li', {class: 'x'}, 'text', child).
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}
