// "Cerca mío": places on the map and in a list, nearby search from a picked point, category
// chips, the "abierto ahora" and "sin cola" toggles, the search radius, and a detail card.
/* global maplibregl */
import { api, el } from './api.js';
import { t, currentLang, onLangChange } from './i18n.js';
import { circle, EMPTY } from './map.js';
import { liveSummary } from './live.js';
import { counted, distance } from './format.js';

const state = {
  map: null,
  categories: [],
  selected: new Set(),
  openNow: false,
  noQueue: false,
  radius: 1500,
  point: null, // {lat, lon} once the user picks one
  config: null,
  inView: [],
  nearby: null, // FeatureCollection of the last nearby search
  geocoder: false,
  tilesVersion: 0, // bumped after a report, past the browser's minute of tile cache
};

// The list and its controls, before the map exists: a phone shows them while MapLibre loads.
export async function initPlacesList(config) {
  state.config = config;
  state.geocoder = config.geocoder;
  state.categories = (await api('/api/categories')).categories;
  // A report just sent changes the card's "open now" and where it came from.
  document.addEventListener('place-live', (e) => {
    const p = e.detail;
    if (Number(document.getElementById('place-live')?.dataset.placeId) !== p.place_id) return;
    document.querySelector('#place-detail .badge')?.replaceWith(openBadge(p.open_now, p.open_now_source));
    document.getElementById('open-source').textContent = p.open_now_source ? t(`live.source_${p.open_now_source}`) : '';
  });
  renderControls();
  onLangChange(() => { renderControls(); renderList(); });
  await loadInView();
}

// The map's layers, once MapLibre has loaded; they draw what the list already holds.
export function attachPlacesMap(map) {
  state.map = map;
  // Our places come as vector tiles: one by one from zoom 13, counted per H3 cell below.
  map.addSource('places', { type: 'vector', tiles: [tilesUrl('places')], maxzoom: 16 });
  map.addSource('needs', { type: 'vector', tiles: [tilesUrl('needs')], maxzoom: 16 });
  map.addSource('radius', { type: 'geojson', data: EMPTY });
  map.addSource('origin', { type: 'geojson', data: EMPTY });
  map.addLayer({ id: 'radius-fill', type: 'fill', source: 'radius', paint: { 'fill-color': '#0b6e4f', 'fill-opacity': 0.08 } });
  map.addLayer({ id: 'radius-line', type: 'line', source: 'radius', paint: { 'line-color': '#0b6e4f', 'line-width': 2 } });
  map.addLayer({
    id: 'places-cells', type: 'circle', source: 'places', 'source-layer': 'places', maxzoom: 13,
    filter: ['has', 'count'],
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['sqrt', ['get', 'count']], 1, 6, 30, 22],
      'circle-color': '#0b6e4f', 'circle-opacity': 0.55, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1,
    },
  });
  map.addLayer({
    id: 'places-cells-count', type: 'symbol', source: 'places', 'source-layer': 'places', maxzoom: 13,
    filter: ['has', 'count'],
    layout: { 'text-field': ['to-string', ['get', 'count']], 'text-font': ['Noto Sans Regular'], 'text-size': 11, 'text-allow-overlap': true },
    paint: { 'text-color': '#fff' },
  });
  // Kitchens with open needs get an orange ring under their marker.
  map.addLayer({
    id: 'needs', type: 'circle', source: 'needs', 'source-layer': 'needs', minzoom: 11,
    paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 6, 15, 12], 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#c2410c', 'circle-stroke-width': 3 },
  });
  map.addLayer({
    id: 'places', type: 'circle', source: 'places', 'source-layer': 'places', minzoom: 13,
    filter: ['!', ['has', 'count']],
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 3, 15, 7],
      'circle-color': ['match', ['get', 'kind'], 'kitchen', '#c2410c', '#0b6e4f'],
      // Neighbours' reports: the ring shows the queue, thicker the fresher the report.
      'circle-stroke-color': ['match', ['get', 'live_queue'], 'long', '#b91c1c', 'short', '#b45309', 'none', '#15803d', '#fff'],
      'circle-stroke-width': ['case', ['has', 'live_age_min'], ['interpolate', ['linear'], ['get', 'live_age_min'], 0, 4, 240, 2], 1.5],
      'circle-opacity': ['case', ['==', ['get', 'open_now'], false], 0.45, 1],
    },
  });
  map.addLayer({
    id: 'places-label', type: 'symbol', source: 'places', 'source-layer': 'places', minzoom: 14,
    filter: ['!', ['has', 'count']],
    layout: { 'text-field': ['get', 'name'], 'text-font': ['Noto Sans Regular'], 'text-size': 11, 'text-offset': [0, 1.1], 'text-anchor': 'top' },
    paint: { 'text-color': '#1f2a30', 'text-halo-color': '#fff', 'text-halo-width': 1 },
  });
  map.addLayer({ id: 'origin', type: 'circle', source: 'origin', paint: { 'circle-radius': 7, 'circle-color': '#2563eb', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });

  map.on('click', 'places', (e) => {
    const f = e.features?.[0];
    if (f) showDetail(f.id);
    e.preventDefault();
  });
  map.on('click', (e) => {
    if (e.defaultPrevented) return;
    if (document.querySelector('.screen:not([hidden])')?.dataset.screen !== 'nearby') return;
    pickPoint({ lat: e.lngLat.lat, lon: e.lngLat.lng });
  });
  map.on('mouseenter', 'places', () => { map.getCanvas().style.cursor = 'pointer'; });
  map.on('mouseleave', 'places', () => { map.getCanvas().style.cursor = ''; });
  map.on('moveend', () => { if (!state.point) loadInView(); });
  if (state.point) {
    map.getSource('origin').setData(originFeature(state.point));
    map.getSource('radius').setData(circle(state.point.lon, state.point.lat, state.radius));
  }
  drawPlaces();
}

function tilesUrl(layer) {
  return `${window.location.origin}/tiles/${layer}/{z}/{x}/{y}.mvt${state.tilesVersion ? `?v=${state.tilesVersion}` : ''}`;
}

// The tiles hold every place; the filters show what the list shows: the chosen categories,
// "abierto ahora", "sin cola", and around a picked point only what lies within the radius.
function drawPlaces() {
  const map = state.map;
  if (!map) return;
  const points = ['all', ['!', ['has', 'count']]];
  if (state.selected.size) points.push(['in', ['get', 'category'], ['literal', [...state.selected]]]);
  if (state.openNow) points.push(['==', ['get', 'open_now'], true]);
  if (state.noQueue) points.push(['==', ['get', 'live_queue'], 'none']);
  if (state.point) points.push(['within', circle(state.point.lon, state.point.lat, state.radius)]);
  map.setFilter('places', points);
  map.setFilter('places-label', points);
  const count = state.selected.size
    ? ['+', 0, ...[...state.selected].map((c) => ['coalesce', ['get', `c_${c}`], 0])]
    : ['get', 'count'];
  map.setFilter('places-cells', ['all', ['has', 'count'], ['>', count, 0]]);
  map.setFilter('places-cells-count', ['all', ['has', 'count'], ['>', count, 0]]);
  map.setLayoutProperty('places-cells-count', 'text-field', ['to-string', count]);
}

function originFeature(point) {
  return { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [point.lon, point.lat] } };
}

// The box the map will show when it opens (MapLibre's zoom counts 512 px per world at 0), so
// the list before the map holds what the map will then show.
function openingBbox() {
  const [lon, lat] = state.config.center;
  const box = document.getElementById('map');
  const w = box?.clientWidth || window.innerWidth;
  const h = box?.clientHeight || window.innerHeight / 2;
  const degPerPx = 360 / (512 * 2 ** state.config.zoom);
  const dx = (w / 2) * degPerPx;
  const dy = (h / 2) * degPerPx * Math.cos((lat * Math.PI) / 180);
  return [lon - dx, lat - dy, lon + dx, lat + dy];
}

// A place's own link (/?place=ID), e.g. a kitchen's page shared by its organizers. Called once
// every screen is ready, so a kitchen's card gets its needs.
export async function openLinkedPlace() {
  const linked = Number(new URLSearchParams(window.location.search).get('place'));
  if (Number.isInteger(linked) && linked > 0) await showDetail(linked, { center: true });
}

function placesParams() {
  const q = {};
  if (state.selected.size) q.category = [...state.selected].join(',');
  return q;
}

async function loadInView() {
  const b = state.map?.getBounds();
  const box = b ? [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()] : openingBbox();
  const bbox = box.map((x) => x.toFixed(5)).join(',');
  try {
    const fc = await api('/api/places', { query: { bbox, ...placesParams() } });
    state.inView = fc.features
      .filter((f) => !state.openNow || f.properties.open_now === true)
      .filter((f) => !state.noQueue || noQueue(f.properties.live));
    drawPlaces();
    renderList();
    document.body.dataset.placesLoads = String(Number(document.body.dataset.placesLoads || 0) + 1);
  } catch (err) {
    setStatus(t('places.error'), true);
  }
}

export async function pickPoint(point) {
  state.point = point;
  state.map?.getSource('origin').setData(originFeature(point));
  await searchNearby();
}

async function searchNearby() {
  if (!state.point) return loadInView();
  const { lat, lon } = state.point;
  state.map?.getSource('radius').setData(circle(lon, lat, state.radius));
  try {
    const fc = await api('/api/places/nearby', {
      query: {
        lat: lat.toFixed(6), lon: lon.toFixed(6), radius_m: state.radius, open_now: state.openNow ? 'true' : undefined,
        no_queue: state.noQueue ? 'true' : undefined, limit: 100, ...placesParams(),
      },
    });
    state.nearby = fc;
    drawPlaces();
    renderList();
    if (state.map) {
      const bounds = new maplibregl.LngLatBounds();
      circle(lon, lat, state.radius).geometry.coordinates[0].forEach((c) => bounds.extend(c));
      // Places come one by one from zoom 13: a radius that almost fits there is shown there.
      const cam = state.map.cameraForBounds(bounds, { padding: 30 });
      const zoom = cam.zoom >= 12 ? Math.max(cam.zoom, 13) : cam.zoom;
      state.map.jumpTo({ center: cam.center, zoom });
    }
    document.body.dataset.nearbyLoads = String(Number(document.body.dataset.nearbyLoads || 0) + 1);
  } catch (err) {
    setStatus(t('places.error'), true);
  }
}

function setStatus(text, isError = false) {
  const s = document.getElementById('places-status');
  s.textContent = text;
  s.classList.toggle('error', isError);
}

function categoryLabel(id) {
  const c = state.categories.find((x) => x.id === id);
  return c ? c[currentLang()] : id;
}

// The same test as the server's `no_queue`: neighbours agree, confidently, on no queue.
function noQueue(live) {
  return live?.queue?.value === 'none' && live.queue.confidence >= 0.4;
}

function openBadge(open, source) {
  const cls = open === true ? 'open' : open === false ? 'closed' : 'unknown';
  const key = open === true ? 'places.open' : open === false ? 'places.closed' : 'places.unknown';
  const by = source === 'report' ? ` · ${t('live.by_neighbours')}` : '';
  return el('span', { class: `badge ${cls}`, 'data-source': source ?? '' }, t(key) + by);
}

const formatDistance = distance;

function renderControls() {
  const box = document.getElementById('nearby-controls');
  box.replaceChildren();
  const search = el('form', { class: 'row', id: 'address-form', onsubmit: (e) => { e.preventDefault(); geocode(); } },
    el('input', { type: 'search', id: 'address-input', placeholder: t('nearby.address_placeholder'), 'aria-label': t('nearby.address_placeholder'), disabled: !state.geocoder }),
    el('button', { type: 'submit', class: 'secondary', disabled: !state.geocoder }, t('nearby.search')),
  );
  const locate = el('button', { type: 'button', class: 'primary', id: 'locate', onclick: locateMe }, t('nearby.use_location'));
  box.append(
    el('p', { class: 'status' }, t('nearby.hint')),
    el('div', { class: 'row' }, locate),
    search,
    el('ul', { class: 'suggestions', id: 'suggestions' }),
    el('div', { class: 'chips', role: 'group', 'aria-label': t('nearby.categories') },
      state.categories.map((c) => el('button', {
        type: 'button', class: 'chip', 'data-category': c.id, 'aria-pressed': state.selected.has(c.id) ? 'true' : 'false',
        onclick: (e) => {
          if (state.selected.has(c.id)) state.selected.delete(c.id); else state.selected.add(c.id);
          e.currentTarget.setAttribute('aria-pressed', state.selected.has(c.id) ? 'true' : 'false');
          refresh();
        },
      }, c[currentLang()]))),
    el('div', { class: 'row' },
      el('label', {}, el('input', { type: 'checkbox', id: 'open-now', checked: state.openNow, onchange: (e) => { state.openNow = e.target.checked; refresh(); } }), ' ', t('nearby.open_now')),
      el('label', {}, el('input', { type: 'checkbox', id: 'no-queue', checked: state.noQueue, onchange: (e) => { state.noQueue = e.target.checked; refresh(); } }), ' ', t('nearby.no_queue')),
      el('label', {}, t('nearby.radius'), ' ',
        el('select', { id: 'radius', onchange: (e) => { state.radius = Number(e.target.value); refresh(); } },
          [500, 1000, 1500, 3000, 5000, 10000].map((r) => el('option', { value: r, selected: r === state.radius }, formatDistance(r)))))),
  );
}

function refresh() { return state.point ? searchNearby() : loadInView(); }

// After a report, so the list and the markers show it (the browser keeps tiles a minute).
export function refreshPlaces() {
  state.tilesVersion = (state.tilesVersion || 0) + 1;
  state.map?.getSource('places').setTiles([tilesUrl('places')]);
  return refresh();
}

function locateMe() {
  if (!navigator.geolocation) { setStatus(t('nearby.no_geolocation'), true); return; }
  navigator.geolocation.getCurrentPosition(
    (pos) => pickPoint({ lat: pos.coords.latitude, lon: pos.coords.longitude }),
    () => setStatus(t('nearby.no_geolocation'), true),
    { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 },
  );
}

async function geocode() {
  const q = document.getElementById('address-input').value.trim();
  const list = document.getElementById('suggestions');
  list.replaceChildren();
  if (!q) return;
  try {
    const results = await api('/api/geocode', { query: { q } });
    if (!results.length) { setStatus(t('nearby.no_address'), true); return; }
    results.forEach((r) => list.append(el('li', {}, el('button', { type: 'button', onclick: () => { list.replaceChildren(); pickPoint({ lat: r.lat, lon: r.lon }); } }, r.label))));
  } catch (err) {
    setStatus(t(err.code === 'geocoder_disabled' ? 'nearby.geocoder_disabled' : 'places.error'), true);
  }
}

// The card opens under the row that was tapped, so the list keeps its place; with no such
// row (a shared link, a tap on the map) it sits after the list.
function placeCard() {
  const card = document.getElementById('place-detail');
  const li = card.hidden ? null : document.querySelector(`#place-list li[data-place-id="${card.dataset.placeId}"]`);
  if (li) li.append(card); else document.getElementById('place-list').after(card);
}

function renderList() {
  const list = document.getElementById('place-list');
  // Keep the card out of the rows about to be replaced.
  list.after(document.getElementById('place-detail'));
  list.replaceChildren();
  const nearbyMode = Boolean(state.point && state.nearby);
  const features = nearbyMode ? state.nearby.features : state.inView.slice(0, 100);
  setStatus(nearbyMode ? counted('places.found_nearby', features.length) : counted('places.in_view', state.inView.length));
  for (const f of features) {
    const p = f.properties;
    list.append(el('li', { 'data-place-id': p.id },
      el('button', { type: 'button', onclick: () => showDetail(p.id) },
        el('span', { class: 'name' }, p.name),
        openBadge(p.open_now, p.open_now_source),
        el('span', { class: 'meta' }, [categoryLabel(p.category), p.distance_m !== undefined ? formatDistance(p.distance_m) : null].filter(Boolean).join(' · ')),
        p.live ? el('span', { class: 'live' }, liveSummary(p.live)) : null,
      )));
  }
  placeCard();
}

export async function showDetail(id, { center = false } = {}) {
  const card = document.getElementById('place-detail');
  try {
    const f = await api(`/api/places/${id}`);
    const p = f.properties;
    card.replaceChildren(...[
      el('h2', {}, p.name),
      el('p', {}, categoryLabel(p.category), ' ', openBadge(p.open_now, p.open_now_source)),
      el('p', { class: 'status', id: 'open-source' }, p.open_now_source ? t(`live.source_${p.open_now_source}`) : ''),
      p.opening_hours ? el('p', {}, `${t('places.hours')}: `, el('code', {}, p.opening_hours)) : el('p', { class: 'status' }, t('places.no_hours')),
      p.address ? el('p', {}, `${t('places.address')}: ${p.address}`) : null,
      p.phone ? el('p', {}, el('a', { href: `tel:${p.phone.replace(/[^+\d]/g, '')}` }, `${t('places.call')} ${p.phone}`)) : null,
      p.description ? el('p', {}, p.description) : null,
      p.source?.match(/^(node|way|relation)\//) ? el('p', { class: 'status' }, t('places.osm_source')) : null,
      el('div', { id: 'place-live', class: 'place-live', 'data-place-id': p.id }),
      el('div', { id: 'place-extra', 'data-place-id': p.id, 'data-kind': p.kind }),
      el('p', {}, el('a', { href: `/?place=${p.id}` }, t('places.link'))),
      el('button', { type: 'button', class: 'secondary', onclick: () => { card.hidden = true; placeCard(); } }, t('common.close')),
    ].filter(Boolean));
    card.hidden = false;
    card.dataset.placeId = String(p.id);
    placeCard();
    if (center && state.map) state.map.jumpTo({ center: f.geometry.coordinates, zoom: Math.max(state.map.getZoom(), 15) });
    card.dispatchEvent(new CustomEvent('place-shown', { bubbles: true, detail: f }));
    card.scrollIntoView({ block: 'nearest' });
  } catch (err) {
    setStatus(t('places.error'), true);
  }
}

export const placesState = state;
