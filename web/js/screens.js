// Which screen is showing, the navigation that switches it (a bottom bar on a phone, with
// "Más" for the rest), and how the map and the panel share the screen. Modules ask before
// handling a map click, and may listen for changes.
const listeners = [];

export function currentScreen() {
  return document.querySelector('.screen:not([hidden])')?.dataset.screen ?? null;
}

function setMoreOpen(open) {
  const nav = document.getElementById('tabs');
  nav.classList.toggle('open', open);
  document.getElementById('nav-more').setAttribute('aria-expanded', String(open));
}

export function showScreen(name) {
  document.querySelectorAll('.tabs [data-screen]').forEach((b) => {
    if (b.dataset.screen === name) b.setAttribute('aria-current', 'page'); else b.removeAttribute('aria-current');
  });
  // "Más" reads as current while one of its destinations shows.
  const inMore = Boolean(document.querySelector(`.tabs .more-item[data-screen="${name}"]`));
  document.getElementById('nav-more').classList.toggle('current', inMore);
  setMoreOpen(false);
  document.querySelectorAll('.screen').forEach((s) => { s.hidden = s.dataset.screen !== name; });
  document.getElementById('panel').scrollTop = 0;
  // A result belongs to the screen it happened on.
  document.getElementById('result')?.replaceChildren();
  listeners.forEach((fn) => fn(name));
}

export function onScreenChange(fn) { listeners.push(fn); }

// A link to a screen (/?screen=volunteer, /?screen=coordination), as notifications carry.
// Returns whether it named one.
export function openScreenLink(search = location.search) {
  const name = new URLSearchParams(search).get('screen');
  if (!name || !document.querySelector(`.screen[data-screen="${CSS.escape(name)}"]`)) return false;
  showScreen(name);
  return true;
}

export function initNav() {
  document.querySelectorAll('.tabs [data-screen]').forEach((b) => b.addEventListener('click', () => showScreen(b.dataset.screen)));
  const more = document.getElementById('nav-more');
  more.addEventListener('click', () => {
    const open = !document.getElementById('tabs').classList.contains('open');
    setMoreOpen(open);
    // The sections come before "Más" in the page, so the keyboard is taken to the first.
    if (open) document.querySelector('.tabs .more-item')?.focus();
  });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') setMoreOpen(false); });
  document.addEventListener('click', (e) => { if (!e.target.closest('#tabs')) setMoreOpen(false); });
}

// Map and list share a phone's screen; either can take all of it. `map` is resized after.
export function setView(view, map) {
  document.body.dataset.view = view;
  document.querySelectorAll('.view-switch [data-view]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.view === view)));
  map?.resize();
}

export function initViewSwitch(getMap) {
  document.querySelectorAll('.view-switch [data-view]').forEach((b) => b.addEventListener('click', () => setView(b.dataset.view, getMap())));
  document.body.dataset.view = 'both';
}

// Shows or hides a set of map layers.
export function setLayersVisible(map, ids, visible) {
  ids.forEach((id) => { if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none'); });
}
