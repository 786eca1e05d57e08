// "Pedir ayuda": ask for help for myself or for someone else, with the place picked on the map;
// then the private link. Opening that link (/?request=ID#token=TOKEN) shows the status view,
// with cancel. The map also shows the public counts of open requests (k ≥ 3 hexagons).
import { api, el } from './api.js';
import { onSent, sendOrQueue } from './offline.js';
import { t, currentLang, onLangChange } from './i18n.js';
import { EMPTY } from './map.js';
import { currentScreen, onScreenChange, setLayersVisible } from './screens.js';
import { errorText } from './auth.js';
import { act, busy } from './feedback.js';
import { timeEl } from './format.js';

export const REQUEST_CATEGORIES = ['groceries', 'medicine', 'company', 'errand', 'meal', 'other'];
const URGENCIES = ['low', 'normal', 'high'];
const LAYERS = ['req-cells-fill', 'req-cells-line', 'req-cells-label', 'req-point'];

const state = { map: null, point: null, result: null, link: null, status: null };
export const requestsState = state;

export function initRequests(map) {
  state.map = map;
  // The public counts come as vector tiles, through the same k ≥ 3 policy as the API.
  map.addSource('req-cells', { type: 'vector', tiles: [`${window.location.origin}/tiles/request-cells/{z}/{x}/{y}.mvt`], maxzoom: 16 });
  map.addSource('req-point', { type: 'geojson', data: EMPTY });
  map.addLayer({ id: 'req-cells-fill', type: 'fill', source: 'req-cells', 'source-layer': 'request_cells', paint: { 'fill-color': '#c2410c', 'fill-opacity': 0.18 } });
  map.addLayer({ id: 'req-cells-line', type: 'line', source: 'req-cells', 'source-layer': 'request_cells', paint: { 'line-color': '#c2410c', 'line-width': 1.5 } });
  map.addLayer({
    id: 'req-cells-label', type: 'symbol', source: 'req-cells', 'source-layer': 'request_cells',
    layout: { 'text-field': ['to-string', ['get', 'count']], 'text-font': ['Noto Sans Regular'], 'text-size': 13 },
    paint: { 'text-color': '#7c2d12', 'text-halo-color': '#fff', 'text-halo-width': 1.5 },
  });
  map.addLayer({ id: 'req-point', type: 'circle', source: 'req-point', paint: { 'circle-radius': 8, 'circle-color': '#c2410c', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
  setLayersVisible(map, LAYERS, false);

  map.on('click', (e) => {
    if (currentScreen() !== 'request' || state.link) return;
    state.point = { lat: e.lngLat.lat, lon: e.lngLat.lng };
    map.getSource('req-point').setData({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [state.point.lon, state.point.lat] } });
    const s = document.getElementById('req-point-status');
    if (s) { s.textContent = t('req.point_set'); s.classList.remove('error'); }
  });
  onScreenChange((name) => setLayersVisible(map, LAYERS, name === 'request'));
  onLangChange(render);

  // A request queued offline reached the server: now its private link can be shown.
  onSent('request', (created) => { state.result = created; render(); });
  state.link = manageLink();
  if (state.link) loadStatus();
  render();
  return Boolean(state.link);
}

function render() {
  const box = document.getElementById('request-body');
  if (!box) return;
  box.replaceChildren(state.link ? statusView() : state.result ? resultView() : formView());
}

function formView() {
  const option = (prefix) => (v) => el('option', { value: v, selected: v === 'normal' }, t(`${prefix}.${v}`));
  const form = el('form', { id: 'req-form', onsubmit: submit },
    el('p', {}, t('req.intro')),
    el('fieldset', { class: 'who' },
      el('legend', {}, t('req.who')),
      el('label', {}, el('input', { type: 'radio', name: 'who', value: 'self', checked: true }), ' ', t('req.who_self')),
      el('label', {}, el('input', { type: 'radio', name: 'who', value: 'other', id: 'req-who-other' }), ' ', t('req.who_other'))),
    el('label', {}, t('req.category'), el('select', { id: 'req-category', name: 'category', required: true },
      REQUEST_CATEGORIES.map((c) => el('option', { value: c }, t(`cat.${c}`))))),
    el('label', {}, t('req.description'), el('textarea', { id: 'req-desc', name: 'description', maxlength: 1000, rows: 3, placeholder: t('req.description_hint') })),
    el('label', {}, t('req.urgency'), el('select', { id: 'req-urgency', name: 'urgency' }, URGENCIES.map(option('urgency')))),
    el('label', {}, t('req.needed_by'), el('input', { id: 'req-needed-by', name: 'needed_by', type: 'datetime-local' })),
    el('p', { class: 'status', id: 'req-point-status', role: 'status' }, state.point ? t('req.point_set') : t('req.point_hint')),
    el('label', {}, t('req.address_detail'), el('input', { id: 'req-address', name: 'address_detail', type: 'text', maxlength: 300, placeholder: t('req.address_hint') })),
    el('label', {}, t('req.contact_name'), el('input', { id: 'req-name', name: 'contact_name', type: 'text', required: true, maxlength: 100 })),
    el('label', {}, t('req.contact_phone'), el('input', { id: 'req-phone', name: 'contact_phone', type: 'tel', required: true })),
    // Optional: a mail when the request is taken, done or expired, in the page's language.
    el('label', {}, t('req.contact_email'), el('input', { id: 'req-email', name: 'contact_email', type: 'email', autocomplete: 'email', maxlength: 254 })),
    el('p', { class: 'notice' }, t('req.privacy')),
    el('p', { class: 'status error', id: 'req-error', role: 'alert' }),
    el('button', { type: 'submit', class: 'primary', id: 'req-submit' }, t('req.submit')));
  return el('div', {}, el('p', { class: 'status' }, t('req.cells_hint')), form);
}

async function submit(e) {
  e.preventDefault();
  const f = e.currentTarget;
  const error = document.getElementById('req-error');
  error.textContent = '';
  if (!state.point) {
    const s = document.getElementById('req-point-status');
    s.textContent = t('req.point_missing');
    s.classList.add('error');
    return;
  }
  const neededBy = f.needed_by.value ? new Date(f.needed_by.value).toISOString() : undefined;
  try {
    const sent = await busy(document.getElementById('req-submit'), () => sendOrQueue({
      path: '/api/requests',
      kind: 'request',
      label: `${t('offline.kind.request')}: ${t(`cat.${f.category.value}`)}`,
      body: {
        category: f.category.value,
        description: f.description.value.trim() || undefined,
        location: state.point,
        address_detail: f.address_detail.value.trim() || undefined,
        contact: { name: f.contact_name.value, phone: f.contact_phone.value },
        on_behalf_of: f.who.value === 'other',
        needed_by: neededBy,
        urgency: f.urgency.value,
        contact_email: f.contact_email.value.trim() || undefined,
        language: currentLang(),
      },
    }));
    state.result = sent.sent ? sent.data : { pending: true };
    state.emailed = Boolean(f.contact_email.value.trim());
    render();
  } catch (err) {
    error.textContent = errorText(err);
  }
}

// The token lives in the URL fragment, which browsers never send, so it reaches no server or
// proxy log; the API gets it in a header. An old link with ?token= is rewritten in place.
function privateLink(id, token) {
  return `${location.origin}/?request=${encodeURIComponent(id)}#token=${encodeURIComponent(token)}`;
}

function manageLink() {
  const params = new URLSearchParams(location.search);
  const id = params.get('request');
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? params.get('token');
  if (!id || !token) return null;
  if (params.has('token')) history.replaceState(null, '', privateLink(id, token));
  return { id, token };
}

function byToken() {
  return { 'X-Manage-Token': state.link.token };
}

// Sent offline: the private link comes when the request reaches the server.
function pendingView() {
  return el('div', { class: 'card', id: 'req-pending' },
    el('h2', {}, t('req.pending_title')),
    el('p', {}, t('req.pending_body')));
}

function resultView() {
  const r = state.result;
  if (r.pending) return pendingView();
  const link = privateLink(r.id, r.manage_token);
  return el('div', { class: 'card', id: 'req-result' },
    el('h2', {}, t('req.sent_title')),
    el('p', {}, t(r.status === 'open' ? 'req.sent_open' : 'req.sent_review')),
    state.emailed ? el('p', { id: 'req-emailed' }, t('req.contact_email_sent')) : null,
    el('p', { class: 'notice' }, el('strong', {}, t('req.link_save'))),
    el('p', { class: 'private-link' }, el('a', { href: link, id: 'req-link' }, link)),
    el('button', {
      type: 'button', class: 'secondary',
      onclick: async (e) => {
        try { await navigator.clipboard.writeText(link); e.target.textContent = t('req.copied'); } catch { /* select it by hand */ }
      },
    }, t('req.copy')),
    el('h3', {}, t('req.who_sees_title')),
    el('ul', {}, ['req.sees_public', 'req.sees_volunteers', 'req.sees_assigned', 'req.sees_erase'].map((k) => el('li', {}, t(k)))),
    el('button', { type: 'button', class: 'secondary', onclick: () => { state.result = null; state.point = null; state.map.getSource('req-point').setData(EMPTY); render(); } }, t('req.another')));
}

// The manage page follows the request while it can still change: every half minute while
// the page is in view, and at once when it comes back into view.
const STATUS_REFRESH_MS = 30_000;
let statusTimer = null;

function followStatus() {
  clearTimeout(statusTimer);
  const closed = ['done', 'cancelled', 'expired', 'rejected'].includes(state.status?.status);
  if (!state.link || closed) return;
  statusTimer = setTimeout(() => { if (!document.hidden) loadStatus({ quiet: true }); else followStatus(); }, STATUS_REFRESH_MS);
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden && state.link && state.status) loadStatus({ quiet: true });
});

async function loadStatus({ quiet = false } = {}) {
  const before = JSON.stringify(state.status);
  try {
    state.status = await api(`/api/requests/${encodeURIComponent(state.link.id)}`, { headers: byToken() });
    state.error = null;
    const loc = state.status.location;
    if (loc && !quiet) {
      state.map.getSource('req-point').setData({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [loc.lon, loc.lat] } });
      state.map.jumpTo({ center: [loc.lon, loc.lat], zoom: 15 });
    }
  } catch (err) {
    // A refresh that fails keeps what is on screen; the next one tries again.
    if (!quiet) {
      state.status = null;
      state.error = err;
    }
  }
  if (!quiet || JSON.stringify(state.status) !== before) render();
  followStatus();
}

function statusView() {
  if (state.error) return el('p', { class: 'status error', id: 'req-status-error' }, errorText(state.error));
  const r = state.status;
  if (!r) return el('p', { class: 'status' }, t('common.loading'));
  const cancellable = ['pending_review', 'open', 'assigned'].includes(r.status);
  return el('div', { class: 'card', id: 'req-status-view' },
    el('h2', {}, t('req.status_title')),
    el('p', {}, el('span', { class: 'badge status-badge', id: 'req-status-text', 'data-status': r.status }, t(`status.${r.status}`))),
    el('p', {}, t(`status_help.${r.status}`)),
    el('dl', {},
      el('dt', {}, t('req.category')), el('dd', {}, t(`cat.${r.category}`)),
      el('dt', {}, t('req.urgency')), el('dd', {}, t(`urgency.${r.urgency}`)),
      el('dt', {}, t('req.created_at')), el('dd', {}, timeEl(r.created_at)),
      r.needed_by ? [el('dt', {}, t('req.needed_by')), el('dd', {}, timeEl(r.needed_by, 'date'))] : null,
      r.description ? [el('dt', {}, t('req.description')), el('dd', { class: 'user-text' }, r.description)] : null,
      r.address_detail ? [el('dt', {}, t('req.address_detail')), el('dd', {}, r.address_detail)] : null,
      r.contact ? [el('dt', {}, t('req.contact_name')), el('dd', {}, `${r.contact.name} · `, el('span', { class: 'phone' }, r.contact.phone))] : null,
      r.assignee ? [el('dt', {}, t('req.assignee')), el('dd', {}, r.assignee.display_name ?? '')] : null),
    cancellable ? el('button', {
      type: 'button', class: 'secondary danger', id: 'req-cancel',
      onclick: async (e) => {
        const ok = await act(e.currentTarget, {
          confirm: { title: t('req.cancel_confirm'), body: t('req.cancel_confirm_body'), confirm: t('req.cancel'), danger: true },
          run: () => api(`/api/requests/${encodeURIComponent(state.link.id)}/cancel`, { method: 'POST', headers: byToken() }),
          done: t('req.cancelled_done'),
        });
        if (ok) loadStatus();
      },
    }, t('req.cancel')) : null);
}
