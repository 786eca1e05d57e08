// "Quiero ayudar": sign up or log in; a profile with the home picked on the map and the radius
// drawn; the on-duty switch; nearby tasks as a list and as resolution-8 hexagons (never points);
// claim; then the full details of my assignments, with a tel: link and a map pin; "Avisos".
/* global maplibregl */
import { api, el } from './api.js';
import { onSent, sendOrQueue } from './offline.js';
import { t, onLangChange } from './i18n.js';
import { circle, EMPTY } from './map.js';
import { currentScreen, onScreenChange, setLayersVisible } from './screens.js';
import { accountBar, authForms, currentAccount, errorText, onAccountChange } from './auth.js';
import { REQUEST_CATEGORIES } from './requests.js';
import { distance, timeEl } from './format.js';
import { act } from './feedback.js';
import { initNotifications, notificationsSection } from './notifications.js';

const LAYERS = ['vol-radius-fill', 'vol-radius-line', 'vol-tasks-fill', 'vol-tasks-line', 'vol-home', 'vol-assigned'];
const RADII = [1000, 2000, 3000, 5000, 10000];
const state = { map: null, home: null, tasks: null, refused: null, assignments: [], outlines: new Map(), message: '', drawn: { tasks: EMPTY, assigned: EMPTY } };
export const volunteerState = state;

export function initVolunteer(map) {
  state.map = map;
  initNotifications();
  // A profile change queued offline reached the server.
  onSent('profile', (saved) => {
    if (currentAccount()) currentAccount().volunteer = saved;
    state.saved = true;
    refresh();
  });
  for (const id of ['vol-radius', 'vol-tasks', 'vol-home', 'vol-assigned']) map.addSource(id, { type: 'geojson', data: EMPTY });
  map.addLayer({ id: 'vol-radius-fill', type: 'fill', source: 'vol-radius', paint: { 'fill-color': '#2563eb', 'fill-opacity': 0.06 } });
  map.addLayer({ id: 'vol-radius-line', type: 'line', source: 'vol-radius', paint: { 'line-color': '#2563eb', 'line-width': 2, 'line-dasharray': [2, 1] } });
  map.addLayer({ id: 'vol-tasks-fill', type: 'fill', source: 'vol-tasks', paint: { 'fill-color': '#0b6e4f', 'fill-opacity': 0.25 } });
  map.addLayer({ id: 'vol-tasks-line', type: 'line', source: 'vol-tasks', paint: { 'line-color': '#0b6e4f', 'line-width': 1.5 } });
  map.addLayer({ id: 'vol-home', type: 'circle', source: 'vol-home', paint: { 'circle-radius': 6, 'circle-color': '#2563eb', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
  map.addLayer({ id: 'vol-assigned', type: 'circle', source: 'vol-assigned', paint: { 'circle-radius': 9, 'circle-color': '#c2410c', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
  setLayersVisible(map, LAYERS, false);

  map.on('click', (e) => {
    if (currentScreen() !== 'volunteer' || !currentAccount()) return;
    state.home = { lat: e.lngLat.lat, lon: e.lngLat.lng };
    state.saved = false;
    drawHome(currentRadius());
    const s = document.getElementById('vol-home-status');
    if (s) s.textContent = t('vol.home_set');
  });
  onScreenChange((name) => {
    setLayersVisible(map, LAYERS, name === 'volunteer');
    if (name === 'volunteer') refresh();
  });
  onAccountChange(() => { state.refused = null; state.saved = false; state.home = null; state.tasks = null; state.assignments = []; state.message = ''; if (currentScreen() === 'volunteer') refresh(); else render(); });
  onLangChange(render);
  render();
}

function currentRadius() {
  return Number(document.getElementById('vol-radius')?.value || currentAccount()?.volunteer?.radius_m || 3000);
}

function drawHome(radius) {
  const src = (id) => state.map.getSource(id);
  if (!state.home) { src('vol-home').setData(EMPTY); src('vol-radius').setData(EMPTY); return; }
  src('vol-home').setData({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [state.home.lon, state.home.lat] } });
  src('vol-radius').setData(circle(state.home.lon, state.home.lat, radius));
}

async function refresh() {
  const me = currentAccount();
  if (me?.volunteer) {
    state.home = state.home ?? me.volunteer.home;
    drawHome(me.volunteer.radius_m);
    // Show the whole area the volunteer covers.
    const bounds = new maplibregl.LngLatBounds();
    circle(state.home.lon, state.home.lat, me.volunteer.radius_m).geometry.coordinates[0].forEach((c) => bounds.extend(c));
    state.map.fitBounds(bounds, { padding: 20, duration: 0 });
    state.refused = null;
    try {
      // Until a coordinator verifies them, people see the public counts, not tasks.
      [state.tasks, state.assignments] = await Promise.all([
        mayBrowse(me) ? api('/api/me/tasks').catch(refused) : null,
        api('/api/me/assignments').then((r) => r.assignments),
      ]);
    } catch (err) { state.message = errorText(err); }
    await drawTasks();
    drawAssignments();
  } else {
    drawHome(currentRadius());
  }
  render();
  document.body.dataset.volunteerLoads = String(Number(document.body.dataset.volunteerLoads || 0) + 1);
}

function mayBrowse(me) {
  return me.verified && (me.role === 'volunteer' || me.role === 'coordinator');
}

// The server has the last word: a coordinator may have taken the verification back since this
// page learnt who is signed in. Then the notice shows instead of an error, and no tasks.
function refused(err) {
  if (err?.code !== 'not_verified' && err?.code !== 'volunteers_only') throw err;
  state.refused = err.code;
  if (err.code === 'not_verified') currentAccount().verified = false; // so the badge agrees
  return null;
}

// Tasks are drawn as the hexagons of their resolution-8 cells, fetched once per cell.
async function drawTasks() {
  const cells = [...new Set((state.tasks?.tasks ?? []).map((x) => x.cell))];
  await Promise.all(cells.filter((c) => !state.outlines.has(c)).map(async (c) => {
    try { state.outlines.set(c, await api(`/api/cells/${c}`)); } catch { /* skip one outline */ }
  }));
  const counts = {};
  (state.tasks?.tasks ?? []).forEach((x) => { counts[x.cell] = (counts[x.cell] ?? 0) + 1; });
  const features = cells.filter((c) => state.outlines.has(c)).map((c) => ({ ...state.outlines.get(c), properties: { cell: c, tasks: counts[c] } }));
  state.drawn.tasks = { type: 'FeatureCollection', features };
  state.map.getSource('vol-tasks').setData(state.drawn.tasks);
}

function drawAssignments() {
  const features = state.assignments.filter((a) => a.location).map((a) => ({
    type: 'Feature', properties: { id: a.id }, geometry: { type: 'Point', coordinates: [a.location.lon, a.location.lat] },
  }));
  state.drawn.assigned = { type: 'FeatureCollection', features };
  state.map.getSource('vol-assigned').setData(state.drawn.assigned);
}

function render() {
  const box = document.getElementById('volunteer-body');
  if (!box) return;
  const me = currentAccount();
  if (!me) {
    box.replaceChildren(el('p', {}, t('vol.intro')), authForms('vol'));
    return;
  }
  box.replaceChildren(...[
    accountBar('vol'),
    // Organizers never get tasks, verified or not; volunteers get them once verified.
    me.role === 'organizer' || state.refused === 'volunteers_only' ? el('p', { class: 'notice', id: 'vol-organizer' }, t('vol.organizer'))
      : me.verified && !state.refused ? null : el('p', { class: 'notice', id: 'vol-unverified' }, t('vol.unverified')),
    state.message ? el('p', { class: 'status error' }, state.message) : null,
    assignmentsView(),
    mayBrowse(me) && !state.refused ? tasksView() : null,
    profileForm(me.volunteer),
    // How to hear of requests and kitchen needs near: push, mail, SMS/WhatsApp (js/notifications.js).
    notificationsSection(),
  ].filter(Boolean));
}

function profileForm(p) {
  const skills = new Set(p?.skills ?? ['groceries', 'medicine']);
  const radius = p?.radius_m ?? 3000;
  return el('form', {
    class: 'card', id: 'vol-profile-form',
    onsubmit: async (e) => {
      e.preventDefault();
      const f = e.currentTarget;
      const status = document.getElementById('vol-profile-status');
      if (!state.home) { status.textContent = t('vol.home_missing'); status.classList.add('error'); return; }
      try {
        const r = await sendOrQueue({
          path: '/api/me/volunteer',
          method: 'PUT',
          kind: 'profile',
          label: t('offline.kind.profile'),
          body: {
            skills: REQUEST_CATEGORIES.filter((c) => f[`skill-${c}`].checked),
            home: state.home,
            radius_m: Number(f.radius.value),
            on_duty: f.on_duty.checked,
            max_open: Number(f.max_open.value),
          },
        });
        if (!r.sent) { status.textContent = t('offline.queued'); status.classList.remove('error'); return; }
        currentAccount().volunteer = r.data;
        state.saved = true;
        await refresh();
      } catch (err) { status.textContent = errorText(err); status.classList.add('error'); }
    },
  },
  el('h2', {}, t('vol.profile_title')),
  el('label', { class: 'switch' }, el('input', { type: 'checkbox', name: 'on_duty', id: 'vol-on-duty', checked: p ? p.on_duty : true }), ' ', t('vol.on_duty')),
  el('fieldset', {}, el('legend', {}, t('vol.skills')),
    REQUEST_CATEGORIES.map((c) => el('label', { class: 'inline' }, el('input', { type: 'checkbox', name: `skill-${c}`, id: `vol-skill-${c}`, checked: skills.has(c) }), ' ', t(`cat.${c}`)))),
  el('p', { class: 'status', id: 'vol-home-status' }, state.home ? t('vol.home_set') : t('vol.home_hint')),
  el('label', {}, t('vol.radius'), el('select', { name: 'radius', id: 'vol-radius', onchange: (e) => drawHome(Number(e.target.value)) },
    RADII.map((r) => el('option', { value: r, selected: r === radius }, distance(r))))),
  el('label', {}, t('vol.max_open'), el('input', { type: 'number', name: 'max_open', id: 'vol-max-open', min: 1, max: 20, value: p?.max_open ?? 2 })),
  el('p', { class: 'status' }, t('vol.home_private')),
  el('p', { class: 'status', id: 'vol-profile-status', role: 'status' }, state.saved ? t('vol.saved') : ''),
  el('button', { type: 'submit', class: 'primary', id: 'vol-save' }, t('vol.save')));
}

function tasksView() {
  const me = currentAccount();
  if (!me.volunteer) return el('p', { class: 'status' }, t('vol.no_profile'));
  const tasks = state.tasks?.tasks ?? [];
  return el('section', { class: 'card', id: 'vol-tasks-card' },
    el('h2', { tabindex: '-1', id: 'vol-tasks-title' }, t('vol.tasks_title')),
    state.tasks && !state.tasks.on_duty ? el('p', { class: 'status' }, t('vol.off_duty')) : null,
    tasks.length ? el('p', { class: 'status' }, t('vol.tasks_hint'))
      : el('div', { class: 'empty', id: 'vol-tasks-empty' }, el('p', {}, t('vol.no_tasks')),
        el('button', { type: 'button', class: 'secondary', onclick: () => { document.getElementById('vol-radius')?.focus(); } }, t('vol.no_tasks_action'))),
    el('ul', { class: 'place-list', id: 'vol-tasks' }, tasks.map((x) => el('li', { 'data-task-id': x.id },
      el('div', { class: 'task' },
        el('span', { class: 'name' }, t(`cat.${x.category}`)),
        el('span', { class: `badge urgency-${x.urgency}` }, t(`urgency.${x.urgency}`)),
        el('span', { class: 'meta' }, el('span', { class: 'nowrap' }, t('vol.band', { band: x.distance_band })),
          x.needed_by ? [' · ', t('vol.needed_by_label'), ' ', timeEl(x.needed_by, 'date')] : null),
        el('button', {
          type: 'button', class: 'primary claim',
          onclick: async (e) => {
            const ok = await act(e.currentTarget, { run: () => api(`/api/requests/${x.id}/claim`, { method: 'POST' }), done: t('vol.claimed_done') });
            if (ok) { state.message = ''; await refresh(); document.getElementById('vol-assignments')?.scrollIntoView({ block: 'start' }); }
          },
        }, t('vol.claim')))))));
}

// For the assigned volunteer only: the exact point in the phone's maps app (geo: URI, RFC
// 5870), with OpenStreetMap's directions as the fallback where geo: opens nothing.
function directions(loc) {
  const at = `${loc.lat.toFixed(6)},${loc.lon.toFixed(6)}`;
  return el('p', { class: 'directions' },
    el('a', { href: `geo:${at}?q=${at}`, class: 'geo-link' }, t('vol.directions')),
    el('a', { href: `https://www.openstreetmap.org/directions?to=${encodeURIComponent(at)}#map=17/${loc.lat.toFixed(6)}/${loc.lon.toFixed(6)}`, class: 'osm-directions', target: '_blank', rel: 'noopener noreferrer' }, t('vol.directions_osm')));
}

function assignmentsView() {
  if (!state.assignments.length) return null;
  return el('section', { class: 'card', id: 'vol-assignments' },
    el('h2', {}, t('vol.assignments_title')),
    el('p', { class: 'status' }, t('vol.assignments_hint')),
    state.assignments.map((a) => el('div', { class: 'assignment', 'data-request-id': a.id },
      el('h3', {}, t(`cat.${a.category}`), ' ', el('span', { class: `badge urgency-${a.urgency}` }, t(`urgency.${a.urgency}`))),
      a.description ? el('p', { class: 'user-text' }, a.description) : null,
      a.contact ? el('p', {}, el('strong', {}, a.contact.name), ' · ',
        el('a', { href: `tel:${a.contact.phone.replace(/[^+\d]/g, '')}`, class: 'tel' }, `${t('places.call')} ${a.contact.phone}`)) : null,
      a.address_detail ? el('p', { class: 'user-text' }, `${t('req.address_detail')}: ${a.address_detail}`) : null,
      a.on_behalf_of ? el('p', { class: 'status' }, t('vol.on_behalf')) : null,
      a.location ? directions(a.location) : null,
      a.location ? el('button', { type: 'button', class: 'secondary', onclick: () => state.map.flyTo({ center: [a.location.lon, a.location.lat], zoom: 16 }) }, t('vol.show_on_map')) : null,
      el('div', { class: 'row done-row' },
        el('button', {
          type: 'button', class: 'primary complete',
          onclick: async (e) => {
            const ok = await act(e.currentTarget, {
              confirm: { title: t('vol.complete_confirm_title'), body: t('vol.complete_confirm_body'), confirm: t('vol.complete_confirm') },
              run: () => api(`/api/requests/${a.id}/complete`, { method: 'POST' }),
              done: t('vol.completed_done'),
            });
            if (ok) await afterAssignment();
          },
        }, t('vol.complete'))),
      el('div', { class: 'row release-row' },
        el('span', { class: 'status' }, t('vol.release_hint')),
        el('button', {
          type: 'button', class: 'secondary danger release',
          onclick: async (e) => {
            const ok = await act(e.currentTarget, {
              confirm: { title: t('vol.release_confirm_title'), body: t('vol.release_confirm_body'), confirm: t('vol.release_confirm'), danger: true },
              run: () => api(`/api/requests/${a.id}/release`, { method: 'POST' }),
              done: t('vol.released_done'),
            });
            if (ok) await afterAssignment();
          },
        }, t('vol.release'))))));
}

// After a task is done or given back, the volunteer lands on the list of tasks, not on the
// profile form below it.
async function afterAssignment() {
  await refresh();
  const title = document.getElementById('vol-tasks-title');
  if (title) { title.scrollIntoView({ block: 'start' }); title.focus({ preventScroll: true }); }
}
