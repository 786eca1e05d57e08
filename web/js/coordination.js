// "Coordinación": the review queue (approve or reject), the full details of one request when
// needed (each look is audited), the ranked volunteers for an open request, alerts, and the
// standing of accounts (verify, take verification back, suspend).
import { api, el } from './api.js';
import { t, onLangChange } from './i18n.js';
import { EMPTY } from './map.js';
import { currentScreen, onScreenChange, setLayersVisible } from './screens.js';
import { accountBar, authForms, currentAccount, errorText, onAccountChange } from './auth.js';
import { resetLinkFor } from './password.js';
import { counted, dateTime } from './format.js';

const LAYERS = ['coord-pin'];
const state = { map: null, queue: [], open: [], accounts: [], alerts: [], detail: null, matches: null, message: '' };

export function initCoordination(map) {
  state.map = map;
  map.addSource('coord-pin', { type: 'geojson', data: EMPTY });
  map.addLayer({ id: 'coord-pin', type: 'circle', source: 'coord-pin', paint: { 'circle-radius': 9, 'circle-color': '#7c3aed', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
  setLayersVisible(map, LAYERS, false);
  onScreenChange((name) => {
    setLayersVisible(map, LAYERS, name === 'coordination');
    if (name === 'coordination') refresh();
  });
  onAccountChange(() => { state.detail = null; state.matches = null; if (currentScreen() === 'coordination') refresh(); else render(); });
  onLangChange(render);
  render();
}

function isCoordinator() { return currentAccount()?.role === 'coordinator'; }

async function refresh() {
  if (isCoordinator()) {
    try {
      const [queue, open, accounts, alerts] = await Promise.all([
        api('/api/review/requests'),
        api('/api/review/requests', { query: { status: 'open' } }),
        api('/api/accounts'),
        api('/api/alerts'),
      ]);
      state.queue = queue.requests;
      state.open = open.requests;
      state.accounts = accounts.accounts;
      state.alerts = alerts.alerts;
      state.message = '';
    } catch (err) { state.message = errorText(err); }
  }
  render();
  document.body.dataset.coordinationLoads = String(Number(document.body.dataset.coordinationLoads || 0) + 1);
}

async function post(path) {
  try { await api(path, { method: 'POST' }); state.message = ''; } catch (err) { state.message = errorText(err); }
  await refresh();
}

async function showDetail(id) {
  try {
    state.detail = await api(`/api/requests/${id}`);
    const loc = state.detail.location;
    state.map.getSource('coord-pin').setData(loc ? { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [loc.lon, loc.lat] } } : EMPTY);
    if (loc) state.map.flyTo({ center: [loc.lon, loc.lat], zoom: 15 });
  } catch (err) { state.message = errorText(err); }
  render();
}

async function showMatches(id) {
  try { state.matches = { id, list: (await api(`/api/requests/${id}/matches`, { query: { limit: 20 } })).matches }; } catch (err) { state.message = errorText(err); }
  render();
}

function summary(r) {
  return [t(`cat.${r.category}`), t(`urgency.${r.urgency}`), dateTime(r.created_at)].join(' · ');
}

function render() {
  const box = document.getElementById('coordination-body');
  if (!box) return;
  const me = currentAccount();
  if (!me) { box.replaceChildren(el('p', {}, t('coord.intro')), authForms('coord', { roles: ['volunteer', 'organizer'] })); return; }
  if (!isCoordinator()) { box.replaceChildren(accountBar('coord'), el('p', { class: 'notice' }, t('coord.only'))); return; }
  box.replaceChildren(...[
    accountBar('coord'),
    state.message ? el('p', { class: 'status error' }, state.message) : null,
    detailView(),
    el('section', { class: 'card' },
      el('h2', {}, t('coord.queue_title')),
      el('p', { class: 'status' }, state.queue.length ? t('coord.queue_hint') : t('coord.queue_empty')),
      el('ul', { class: 'place-list', id: 'coord-queue' }, state.queue.map((r) => el('li', { 'data-request-id': r.id },
        el('div', { class: 'task' },
          el('span', { class: 'name' }, summary(r)),
          r.description ? el('span', { class: 'meta' }, r.description) : null,
          r.on_behalf_of ? el('span', { class: 'meta' }, t('vol.on_behalf')) : null,
          el('div', { class: 'row' },
            el('button', { type: 'button', class: 'primary approve', onclick: () => post(`/api/requests/${r.id}/approve`) }, t('coord.approve')),
            el('button', { type: 'button', class: 'secondary reject', onclick: () => post(`/api/requests/${r.id}/reject`) }, t('coord.reject')),
            el('button', { type: 'button', class: 'secondary details', onclick: () => showDetail(r.id) }, t('coord.details')))))))),
    el('section', { class: 'card' },
      el('h2', {}, t('coord.open_title')),
      el('ul', { class: 'place-list', id: 'coord-open' }, state.open.map((r) => el('li', { 'data-request-id': r.id },
        el('div', { class: 'task' },
          el('span', { class: 'name' }, summary(r)),
          el('div', { class: 'row' },
            el('button', { type: 'button', class: 'secondary matches', onclick: () => showMatches(r.id) }, t('coord.matches')),
            el('button', { type: 'button', class: 'secondary details', onclick: () => showDetail(r.id) }, t('coord.details'))))))),
      matchesView()),
    alertsView(),
    ...accountsView(me),
  ].filter(Boolean));
}

// Suspending signs the account out and gives its tasks back, so it asks first.
async function suspend(id, name) {
  if (!window.confirm(t('coord.suspend_confirm', { name: name ?? '' }))) return;
  await post(`/api/accounts/${id}/suspend`);
}

// An alert the catalogs do not name yet still reads as one.
function alertText(action) {
  const key = `alert.${action}`;
  const text = t(key);
  return text === key ? t('alert.unknown') : text;
}

function alertsView() {
  const me = currentAccount();
  const suspended = new Set(state.accounts.filter((a) => a.suspended).map((a) => a.id));
  return el('section', { class: 'card' },
    el('h2', {}, t('coord.alerts_title')),
    state.alerts.length ? null : el('p', { class: 'status' }, t('coord.alerts_empty')),
    el('ul', { class: 'place-list', id: 'coord-alerts' }, state.alerts.map((a) => el('li', { 'data-account-id': a.account_id ?? '' },
      el('div', { class: 'task' },
        el('span', { class: 'name' }, [a.display_name, alertText(a.action)].filter(Boolean).join(' · ')),
        el('span', { class: 'meta' }, dateTime(a.at)),
        !a.account_id || a.account_id === me.id ? null
          : suspended.has(a.account_id) ? el('span', { class: 'meta' }, t('coord.suspended'))
            : el('button', { type: 'button', class: 'secondary danger suspend', onclick: () => suspend(a.account_id, a.display_name) }, t('coord.suspend')))))));
}

// Unverified accounts first, to verify; then the rest, whose verification can be taken back
// and who can be suspended (which signs them out and returns their tasks).
function accountsView(me) {
  const waiting = state.accounts.filter((a) => !a.verified && !a.suspended);
  const others = state.accounts.filter((a) => a.id !== me.id && (a.verified || a.suspended));
  const row = (a, ...buttons) => el('li', { 'data-account-id': a.id },
    el('div', { class: 'task' },
      el('span', { class: 'name' }, `${a.display_name} · ${t(`role.${a.role}`)}`, a.suspended ? ` · ${t('coord.suspended')}` : ''),
      el('span', { class: 'meta' }, [a.email, a.phone].filter(Boolean).join(' · ')),
      el('div', { class: 'row' }, ...buttons)));
  const button = (cls, path, key) => el('button', { type: 'button', class: `secondary ${cls}`, onclick: () => post(path) }, t(key));
  const suspendButton = (a) => el('button', { type: 'button', class: 'secondary danger suspend', onclick: () => suspend(a.id, a.display_name) }, t('coord.suspend'));
  const resetButton = (a) => {
    const out = el('div', { class: 'reset-out' });
    return [el('button', { type: 'button', class: 'secondary reset', onclick: () => resetLinkFor(a.id, out) }, t('password.issue')), out];
  };
  return [
    el('section', { class: 'card' },
      el('h2', {}, t('coord.accounts_title')),
      el('p', { class: 'status' }, waiting.length ? '' : t('coord.accounts_empty')),
      el('ul', { class: 'place-list', id: 'coord-accounts' }, waiting.map((a) => row(a,
        el('button', { type: 'button', class: 'primary verify', onclick: () => post(`/api/accounts/${a.id}/verify`) }, t('coord.verify')),
        suspendButton(a))))),
    el('section', { class: 'card' },
      el('h2', {}, t('coord.standing_title')),
      el('ul', { class: 'place-list', id: 'coord-standing' }, others.map((a) => row(a,
        a.verified ? button('unverify', `/api/accounts/${a.id}/unverify`, 'coord.unverify') : null,
        a.suspended
          ? button('unsuspend', `/api/accounts/${a.id}/unsuspend`, 'coord.unsuspend')
          : suspendButton(a),
        ...resetButton(a))))),
  ];
}

function matchesView() {
  if (!state.matches) return null;
  const list = state.matches.list;
  return el('div', { id: 'coord-matches' },
    el('h3', {}, t('coord.matches_title')),
    list.length ? el('ol', {}, list.map((m) => el('li', { 'data-account-id': m.account_id },
      `${m.display_name} · ${t('vol.band', { band: m.distance_band })} · ${counted('coord.recent', m.recent_assignments)}`)))
      : el('p', { class: 'status' }, t('coord.no_matches')));
}

function detailView() {
  const r = state.detail;
  if (!r) return null;
  return el('section', { class: 'card', id: 'coord-detail' },
    el('h2', {}, t('coord.detail_title')),
    el('p', { class: 'status' }, t('coord.audited')),
    el('p', {}, summary(r), ' · ', t(`status.${r.status}`)),
    r.description ? el('p', {}, r.description) : null,
    r.contact ? el('p', {}, el('strong', {}, r.contact.name), ' · ', el('a', { href: `tel:${r.contact.phone.replace(/[^+\d]/g, '')}` }, r.contact.phone)) : null,
    r.address_detail ? el('p', {}, `${t('req.address_detail')}: ${r.address_detail}`) : null,
    el('div', { class: 'row' },
      ['pending_review', 'open', 'assigned'].includes(r.status) ? el('button', { type: 'button', class: 'secondary', onclick: () => post(`/api/requests/${r.id}/cancel`).then(() => showDetail(r.id)) }, t('req.cancel')) : null,
      el('button', { type: 'button', class: 'secondary', onclick: () => { state.detail = null; state.map.getSource('coord-pin').setData(EMPTY); render(); } }, t('common.close'))));
}
