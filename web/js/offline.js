// Working on a bad connection: the service worker's registration, the banner that says the
// phone is offline and how old the shown data is, and writes that wait for the connection
// ("pendiente de envío") with what happened to them once sent.
import { api, el, NetworkError, pastReads } from './api.js';
import { t, onLangChange } from './i18n.js';
import { ago } from './format.js';
import { enqueue, queued, flush, takeOutcomes } from './outbox.js';

const net = { online: navigator.onLine, savedAt: null, pending: [], notices: [] };
const handlers = new Map();
// Outcomes are handed to the screens only once they have registered their handlers.
let started = false;
let retryTimer = null;
let retryDelay = 15000;

export const offlineState = net;

/** What to do when a queued write of `kind` reaches the server: fn(data). */
export function onSent(kind, fn) { handlers.set(kind, fn); }

export function initOffline() {
  window.addEventListener('online', () => { net.online = true; render(); sendNow(); });
  window.addEventListener('offline', () => { net.online = false; render(); });
  window.addEventListener('antes:network', (e) => {
    const { online, savedAt } = e.detail;
    net.online = online && navigator.onLine;
    if (online) net.savedAt = null;
    if (savedAt) net.savedAt = Math.min(net.savedAt ?? savedAt, savedAt);
    render();
  });
  navigator.serviceWorker?.addEventListener('message', (e) => {
    if (e.data?.type === 'outbox') settle();
  });
  onLangChange((lang) => {
    // The installed app's name follows the language: es (the default) or en.
    const link = document.getElementById('manifest-link');
    if (link) link.href = lang === 'en' ? '/manifest.en.webmanifest' : '/manifest.webmanifest';
    render();
  });
  queued().then((p) => { net.pending = p; render(); });
}

/** Once every screen is up: hands over what was sent while the page was closed, sends what
 * waits, and registers the service worker (last, so its precache never competes with the first
 * load; the shell then comes from the HTTP cache). */
export async function startOutbox() {
  started = true;
  await settle();
  sendNow();
  if (!('serviceWorker' in navigator)) return;
  // On the first visit the worker takes over after the page's first reads: read them again
  // through it, so that the next visit has a copy even without a connection.
  if (!navigator.serviceWorker.controller) {
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      pastReads().forEach((url) => fetch(url, { credentials: 'same-origin' }).catch(() => {}));
    }, { once: true });
  }
  try {
    await navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' });
  } catch (err) {
    console.warn('service worker not registered', err);
  }
}

/**
 * Sends a write now, or keeps it to send later when there is no connection. Resolves to
 * {sent: true, data} or {sent: false} (queued); a refusal by the server throws its ApiError.
 */
export async function sendOrQueue({ path, method = 'POST', body, kind, label }) {
  const key = crypto.randomUUID();
  try {
    return { sent: true, data: await api(path, { method, body, headers: { 'Idempotency-Key': key } }) };
  } catch (err) {
    if (!(err instanceof NetworkError) && !(err.status >= 500)) throw err;
    await enqueue({ key, path, method, body, kind, label, queuedAt: Date.now() });
    await settle();
    askForSync();
    return { sent: false };
  }
}

async function askForSync() {
  try {
    const reg = await navigator.serviceWorker?.ready;
    await reg?.sync?.register('antes-outbox');
  } catch { /* no Background Sync here: the page sends on `online` and at the next open */ }
}

/** Tries the queued writes now; while some remain, again later, backing off to 2 minutes. */
export async function sendNow() {
  clearTimeout(retryTimer);
  let outcome = { offline: false };
  if ((await queued()).length) outcome = await flush();
  await settle();
  if (net.pending.length) {
    retryTimer = setTimeout(sendNow, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 120000);
  } else {
    retryDelay = 15000;
  }
  if (!outcome.offline && net.pending.length === 0) net.online = navigator.onLine;
  render();
}

// Reads what is queued and what was sent, and tells each screen about its sent writes.
async function settle() {
  net.pending = await queued();
  for (const o of started ? await takeOutcomes() : []) {
    if (o.ok) {
      net.notices.push({ ok: true, text: t('offline.sent', { what: t(`offline.kind.${o.kind}`) }) });
      handlers.get(o.kind)?.(o.data);
    } else {
      const reason = t(`error.${o.error}`);
      net.notices.push({
        ok: false,
        text: t('offline.refused', { what: t(`offline.kind.${o.kind}`), reason: reason === `error.${o.error}` ? t('error.generic') : reason }),
      });
    }
  }
  render();
}

function render() {
  const banner = document.getElementById('net-banner');
  if (banner) {
    const offline = !net.online || !navigator.onLine;
    const parts = [];
    if (offline) parts.push(t('offline.banner'));
    if (net.savedAt) parts.push(t('offline.saved', { ago: ago(new Date(net.savedAt).toISOString()) }));
    banner.hidden = parts.length === 0;
    banner.textContent = parts.join(' ');
  }
  const box = document.getElementById('outbox');
  if (!box) return;
  const items = net.pending.map((p) => el('li', { class: 'pending' },
    el('span', {}, p.label || t(`offline.kind.${p.kind}`)), ' · ', el('strong', {}, t('offline.pending'))));
  const notices = net.notices.map((n, i) => el('li', { class: n.ok ? 'sent' : 'refused', role: n.ok ? null : 'alert' },
    n.text, ' ', el('button', { type: 'button', class: 'link', onclick: () => { net.notices.splice(i, 1); render(); } }, t('offline.dismiss'))));
  box.hidden = items.length + notices.length === 0;
  box.replaceChildren(...[
    items.length ? el('h2', {}, t('offline.pending_title')) : null,
    items.length ? el('ul', { id: 'outbox-pending' }, items) : null,
    notices.length ? el('ul', { id: 'outbox-notices' }, notices) : null,
  ].filter(Boolean));
}
