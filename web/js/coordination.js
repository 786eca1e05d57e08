// "Coordinación": the review queue (approve or reject), open requests with their suggested
// volunteers, the full details of one request (each look is audited) with who was told of it
// (js/coord_notified.js), all opening in place under their row; then the history
// (js/coord_history.js) and accounts and alerts (js/coord_accounts.js).
import { api, el } from './api.js';
import { t, onLangChange } from './i18n.js';
import { EMPTY } from './map.js';
import { currentScreen, onScreenChange, setLayersVisible, showScreen } from './screens.js';
import { accountBar, authForms, currentAccount, errorText, onAccountChange } from './auth.js';
import { act } from './feedback.js';
import { counted, timeEl } from './format.js';
import { forgetLogs, historyView, loadHistory, requestLog } from './coord_history.js';
import { accountSections, loadAccounts } from './coord_accounts.js';
import { forgetNotified, notifiedView } from './coord_notified.js';

const LAYERS = ['coord-pin'];
// `shown`: what is open under which row: {id, what: 'detail' | 'matches' | 'log'}.
const state = { map: null, queue: [], open: [], message: '', shown: null, detail: null, matches: null };

export function initCoordination(map) {
  state.map = map;
  map.addSource('coord-pin', { type: 'geojson', data: EMPTY });
  map.addLayer({ id: 'coord-pin', type: 'circle', source: 'coord-pin', paint: { 'circle-radius': 9, 'circle-color': '#7c3aed', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
  setLayersVisible(map, LAYERS, false);
  onScreenChange((name) => {
    setLayersVisible(map, LAYERS, name === 'coordination');
    if (name === 'coordination') refresh();
  });
  onAccountChange(() => { closeShown(); if (currentScreen() === 'coordination') refresh(); else render(); });
  onLangChange(render);
  render();
}

function isCoordinator() { return currentAccount()?.role === 'coordinator'; }

async function refresh() {
  if (isCoordinator()) {
    forgetLogs();
    forgetNotified();
    try {
      const [queue, open] = await Promise.all([
        api('/api/review/requests'),
        api('/api/review/requests', { query: { status: 'open' } }),
        loadAccounts(),
        loadHistory(),
      ]);
      state.queue = queue.requests;
      state.open = open.requests;
      state.message = '';
    } catch (err) { state.message = errorText(err); }
  }
  render();
  document.body.dataset.coordinationLoads = String(Number(document.body.dataset.coordinationLoads || 0) + 1);
}

function closeShown() {
  state.shown = null;
  state.detail = null;
  state.matches = null;
  state.map?.getSource('coord-pin')?.setData(EMPTY);
}

// Opens (or closes, on a second tap) something under a row, then keeps that row in view.
async function toggle(id, what, load) {
  if (state.shown?.id === id && state.shown.what === what) { closeShown(); render(); return; }
  closeShown();
  state.shown = { id, what };
  try { await load(); } catch (err) { state.shown = { id, what, error: errorText(err) }; }
  render();
  document.querySelector(`#screen-coordination li[data-request-id="${id}"]`)?.scrollIntoView({ block: 'nearest' });
}

function showDetail(id) {
  return toggle(id, 'detail', async () => {
    state.detail = await api(`/api/requests/${id}`);
    const loc = state.detail.location;
    state.map.getSource('coord-pin').setData(loc ? { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [loc.lon, loc.lat] } } : EMPTY);
    if (loc) state.map.flyTo({ center: [loc.lon, loc.lat], zoom: 15 });
  });
}

function showMatches(id) {
  return toggle(id, 'matches', async () => {
    state.matches = (await api(`/api/requests/${id}/matches`, { query: { limit: 20 } })).matches;
  });
}

export function summary(r) {
  return [t(`cat.${r.category}`), t(`urgency.${r.urgency}`)].join(' · ');
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
    queueView(),
    openView(),
    historyView(render),
    ...accountSections(render),
  ].filter(Boolean));
}

function queueView() {
  return el('section', { class: 'card' },
    el('h2', {}, t('coord.queue_title')),
    state.queue.length ? el('p', { class: 'status' }, t('coord.queue_hint'))
      : el('div', { class: 'empty', id: 'coord-queue-empty' }, el('p', {}, t('coord.queue_empty')),
        el('button', { type: 'button', class: 'secondary', onclick: () => showScreen('request') }, t('coord.queue_empty_action'))),
    el('ul', { class: 'place-list', id: 'coord-queue' }, state.queue.map((r) => el('li', { 'data-request-id': r.id },
      el('div', { class: 'task' },
        el('span', { class: 'name' }, summary(r)),
        el('span', { class: 'meta' }, timeEl(r.created_at)),
        r.description ? el('span', { class: 'meta user-text' }, r.description) : null,
        r.on_behalf_of ? el('span', { class: 'meta' }, t('vol.on_behalf')) : null,
        el('div', { class: 'row' },
          el('button', {
            type: 'button', class: 'primary approve',
            onclick: async (e) => { if (await act(e.currentTarget, { run: () => api(`/api/requests/${r.id}/approve`, { method: 'POST' }), done: t('coord.approved_done') })) refresh(); },
          }, t('coord.approve')),
          el('button', {
            type: 'button', class: 'secondary danger reject',
            onclick: async (e) => {
              const ok = await act(e.currentTarget, {
                confirm: { title: t('coord.reject_confirm_title'), body: t('coord.reject_confirm_body'), confirm: t('coord.reject'), danger: true },
                run: () => api(`/api/requests/${r.id}/reject`, { method: 'POST' }),
                done: t('coord.rejected_done'),
              });
              if (ok) refresh();
            },
          }, t('coord.reject')),
          detailsButton(r))),
      shownUnder(r)))));
}

function detailsButton(r) {
  const open = state.shown?.id === r.id && state.shown.what === 'detail';
  return el('button', { type: 'button', class: 'secondary details', 'aria-expanded': String(open), onclick: () => showDetail(r.id) }, t(open ? 'coord.hide_details' : 'coord.details'));
}

function openView() {
  return el('section', { class: 'card' },
    el('h2', {}, t('coord.open_title')),
    state.open.length ? null : el('p', { class: 'empty', id: 'coord-open-empty' }, t('coord.open_empty')),
    el('ul', { class: 'place-list', id: 'coord-open' }, state.open.map((r) => el('li', { 'data-request-id': r.id },
      el('div', { class: 'task' },
        el('span', { class: 'name' }, summary(r)),
        el('span', { class: 'meta' }, timeEl(r.created_at)),
        el('div', { class: 'row' },
          el('button', { type: 'button', class: 'secondary matches', 'aria-expanded': String(state.shown?.id === r.id && state.shown.what === 'matches'), onclick: () => showMatches(r.id) }, t('coord.matches')),
          detailsButton(r))),
      shownUnder(r)))));
}

// What is open under row `r`, if anything.
function shownUnder(r) {
  if (state.shown?.id !== r.id) return null;
  if (state.shown.error) return el('p', { class: 'status error in-place' }, state.shown.error);
  if (state.shown.what === 'matches') return matchesView();
  if (state.shown.what === 'detail') return detailView();
  return null;
}

function matchesView() {
  const list = state.matches ?? [];
  return el('div', { id: 'coord-matches', class: 'in-place' },
    el('h3', {}, t('coord.matches_title')),
    list.length ? el('ol', {}, list.map((m) => el('li', { 'data-account-id': m.account_id },
      `${m.display_name} · `, el('span', { class: 'nowrap' }, t('vol.band', { band: m.distance_band })), ` · ${counted('coord.recent', m.recent_assignments)}`)))
      : el('p', { class: 'empty' }, t('coord.no_matches')));
}

function detailView() {
  const r = state.detail;
  if (!r) return null;
  const cancellable = ['pending_review', 'open', 'assigned'].includes(r.status);
  return el('div', { class: 'in-place', id: 'coord-detail' },
    el('h3', {}, t('coord.detail_title')),
    el('p', { class: 'status' }, t('coord.audited')),
    el('p', {}, summary(r), ' · ', el('span', { class: 'nowrap' }, t(`status.${r.status}`))),
    r.description ? el('p', { class: 'user-text' }, r.description) : null,
    r.contact ? el('p', {}, el('strong', {}, r.contact.name), ' · ', el('a', { href: `tel:${r.contact.phone.replace(/[^+\d]/g, '')}` }, r.contact.phone)) : null,
    r.address_detail ? el('p', { class: 'user-text' }, `${t('req.address_detail')}: ${r.address_detail}`) : null,
    requestLog(r.id, render),
    notifiedView(r.id, render),
    el('div', { class: 'row' },
      cancellable ? el('button', {
        type: 'button', class: 'secondary danger',
        onclick: async (e) => {
          const ok = await act(e.currentTarget, {
            confirm: { title: t('req.cancel_confirm'), body: t('coord.cancel_confirm_body'), confirm: t('req.cancel'), danger: true },
            run: () => api(`/api/requests/${r.id}/cancel`, { method: 'POST', body: {} }),
            done: t('req.cancelled_done'),
          });
          if (ok) { closeShown(); refresh(); }
        },
      }, t('req.cancel')) : null,
      el('button', { type: 'button', class: 'secondary', onclick: () => { closeShown(); render(); } }, t('common.close'))));
}
