// The service worker, hand-written (about 180 lines; Workbox would add a dependency and a
// build step for what fits here). The server serves it at /sw.js with two constants put in
// front: VERSION, a digest of every file of the app shell, and SHELL, their URLs. A changed
// file makes a new VERSION, so the browser installs this worker again, fills a new shell cache,
// and the old one is deleted once the new worker takes over.
/* global VERSION, SHELL */
import { flush } from '/js/outbox.js';

const SHELL_CACHE = `shell-${VERSION}`;
const DATA_CACHE = 'data-v1';
// Places, their cards and the map's tiles: the network answers if it can within this time;
// otherwise the last copy does, and the network's late answer still refreshes the copy.
const NETWORK_WAIT_MS = 4000;
const SAVED_AT = 'X-Antes-Saved-At';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    // `no-cache` revalidates our own files (a 304 costs a few bytes); the vendored files are
    // immutable and come from the HTTP cache, so installing downloads almost nothing twice.
    await cache.addAll(SHELL.map((url) => new Request(url, { cache: url.startsWith('/vendor/') ? 'default' : 'no-cache' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('shell-') && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// Public data only: the config, categories and places (lists, cards, needs, history) and map
// tiles. Nothing private (a session's own data, a request's details) is ever cached.
function publicData(url) {
  const p = url.pathname;
  if (p === '/api/config' || p === '/api/categories' || p === '/api/needs/nearby') return true;
  // A place's reports are a coordinator's, and whether I follow a kitchen is mine.
  if (p.startsWith('/api/places')) return !p.endsWith('/reports') && !p.endsWith('/follow');
  return p.startsWith('/tiles/') && !p.startsWith('/tiles/basemap/');
}

// The basemap changes only with a new archive or style: served from the copy at once.
function basemap(url) {
  return url.pathname.startsWith('/tiles/basemap/') || url.pathname.startsWith('/basemap/');
}

// Lists are also kept as "the last list", which is what answers a list offline.
function lastListKey(url) {
  return ['/api/places', '/api/places/nearby', '/api/needs/nearby'].includes(url.pathname)
    ? new Request(`${url.origin}/__last__${url.pathname}`) : null;
}

async function store(request, response) {
  if (!response.ok || response.status !== 200) return;
  const headers = new Headers(response.headers);
  headers.set(SAVED_AT, String(Date.now()));
  const body = await response.blob();
  const copy = () => new Response(body, { status: 200, statusText: 'OK', headers });
  const cache = await caches.open(DATA_CACHE);
  await cache.put(request, copy());
  const last = lastListKey(new URL(request.url));
  if (last) await cache.put(last, copy());
}

// A list is answered with the last one seen, even when this exact query has a copy: the
// page opens on its first view again, and the map may have moved the list on since.
async function fromCopy(request) {
  const cache = await caches.open(DATA_CACHE);
  const last = lastListKey(new URL(request.url));
  return (last && await cache.match(last)) || cache.match(request);
}

async function networkThenCopy(event) {
  const { request } = event;
  const network = fetch(request).then(async (response) => {
    await store(request, response.clone());
    return response;
  });
  event.waitUntil(network.catch(() => {}));
  const late = new Promise((resolve) => { setTimeout(resolve, NETWORK_WAIT_MS, 'late'); });
  try {
    const first = await Promise.race([network, late]);
    if (first !== 'late') return first;
  } catch {
    // Offline: the copy, if any.
  }
  const copy = await fromCopy(request);
  if (copy) return copy;
  return network;
}

async function copyThenNetwork(event) {
  const { request } = event;
  const network = fetch(request).then(async (response) => {
    await store(request, response.clone());
    return response;
  });
  event.waitUntil(network.catch(() => {}));
  return (await fromCopy(request)) ?? network;
}

async function shell(request, url) {
  const cache = await caches.open(SHELL_CACHE);
  // Every page of the app is index.html; a link's query and fragment are read by the page.
  const hit = request.mode === 'navigate' ? await cache.match('/') : await cache.match(url.pathname);
  return hit ?? fetch(request);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' || SHELL.includes(url.pathname)) {
    event.respondWith(shell(request, url));
  } else if (basemap(url)) {
    event.respondWith(copyThenNetwork(event));
  } else if (publicData(url)) {
    event.respondWith(networkThenCopy(event));
  }
});

// Writes made offline wait in IndexedDB (js/outbox.js). Where the browser has Background Sync
// it wakes this worker to send them; the page also sends them when it comes back online.
async function sendQueued() {
  const outcome = await flush();
  const pages = await self.clients.matchAll({ type: 'window' });
  pages.forEach((p) => p.postMessage({ type: 'outbox' }));
  // Still offline: a failed sync is retried by the browser later.
  if (outcome.offline) throw new Error('still offline');
}

self.addEventListener('sync', (event) => {
  if (event.tag === 'antes-outbox') event.waitUntil(sendQueued());
});

self.addEventListener('message', (event) => {
  if (event.data?.type === 'flush') event.waitUntil(sendQueued().catch(() => {}));
});

// Web Push: the server sends {title, body, url, tag} (js/notifications.js subscribes). A
// message with the tag of one still shown replaces it, so a request told twice shows once.
self.addEventListener('push', (event) => {
  let msg = {};
  try { msg = event.data?.json() ?? {}; } catch { msg = { body: event.data?.text() ?? '' }; }
  event.waitUntil(self.registration.showNotification(msg.title || 'Antes de Salir', {
    body: msg.body ?? '',
    tag: msg.tag || undefined,
    icon: '/icons/icon-192.png',
    data: { url: msg.url || '/' },
  }));
});

// Only links into this app are followed; anything else opens the app's start.
function linkInApp(url) {
  try {
    const to = new URL(url, self.location.origin);
    return to.origin === self.location.origin ? to.href : '/';
  } catch {
    return '/';
  }
}

// A tap brings an open window of the app forward and takes it there (js/app.js listens), or
// opens one.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = linkInApp(event.notification.data?.url ?? '/');
  event.waitUntil((async () => {
    const pages = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const page = pages.find((p) => new URL(p.url).origin === self.location.origin);
    if (!page) return self.clients.openWindow(url);
    page.postMessage({ type: 'open', url });
    return page.focus();
  })());
});
