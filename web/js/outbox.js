// Writes that wait for a connection, in IndexedDB: a help request, a pledge, a shift sign-up or
// a volunteer profile made offline. Each carries the Idempotency-Key it was first sent with,
// so sending it again can never make a second one: the server answers a repeat with the first
// answer. Used by the page and by the service worker (Background Sync), so it touches no DOM.
// Sends are serialised by a Web Lock shared by both.

const DB = 'antes-offline';
const QUEUED = 'outbox';
const DONE = 'sent';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore(QUEUED, { keyPath: 'key' });
      req.result.createObjectStore(DONE, { keyPath: 'key' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(store, mode, work) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const t = db.transaction(store, mode);
      const result = work(t.objectStore(store));
      t.oncomplete = () => resolve(result?.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

/** Queues a write: {key, path, method, body, kind, label, queuedAt}. */
export function enqueue(item) {
  return tx(QUEUED, 'readwrite', (s) => s.put(item));
}

/** The writes still waiting, oldest first. */
export async function queued() {
  const all = await tx(QUEUED, 'readonly', (s) => s.getAll());
  return (all ?? []).sort((a, b) => a.queuedAt - b.queuedAt);
}

/** Outcomes of queued writes sent since the page last looked; each is handed over once. */
export async function takeOutcomes() {
  const all = (await tx(DONE, 'readonly', (s) => s.getAll())) ?? [];
  for (const o of all) await tx(DONE, 'readwrite', (s) => s.delete(o.key));
  return all.sort((a, b) => a.sentAt - b.sentAt);
}

function withLock(work) {
  if (globalThis.navigator?.locks) return navigator.locks.request('antes-outbox', work);
  return work();
}

/** Sends one write as it was first made. A network failure throws a TypeError. */
export async function sendOnce(item, timeoutMs = 20000) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  try {
    const headers = { 'Idempotency-Key': item.key };
    if (item.body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(item.path, {
      method: item.method, headers, credentials: 'same-origin', signal: ctrl.signal,
      body: item.body === undefined ? undefined : JSON.stringify(item.body),
    });
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = null; }
    return { status: res.status, data };
  } catch (err) {
    // A timeout is a lost connection too: the write may have landed, and the key covers that.
    throw new TypeError(err?.message ?? 'network');
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends every queued write in order. Stops at the first one the network cannot carry (or a
 * 5xx/429, which are worth retrying) and reports `offline`. A write the server refused (any
 * other 4xx) is dropped from the queue, with its reason kept as an outcome.
 */
export function flush() {
  return withLock(async () => {
    for (const item of await queued()) {
      let reply;
      try {
        reply = await sendOnce(item);
      } catch {
        return { offline: true };
      }
      if (reply.status >= 500 || reply.status === 429) return { offline: true };
      const ok = reply.status < 400;
      await tx(DONE, 'readwrite', (s) => s.put({
        key: item.key, kind: item.kind, label: item.label, ok, status: reply.status,
        data: ok ? reply.data : null, error: ok ? null : (reply.data?.error ?? 'error'), sentAt: Date.now(),
      }));
      await tx(QUEUED, 'readwrite', (s) => s.delete(item.key));
    }
    return { offline: false };
  });
}
