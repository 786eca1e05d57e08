// Which screen is showing. Modules ask before handling a map click, and may listen for changes.
const listeners = [];

export function currentScreen() {
  return document.querySelector('.screen:not([hidden])')?.dataset.screen ?? null;
}

export function showScreen(name) {
  document.querySelectorAll('.tabs [data-screen]').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.screen === name)));
  document.querySelectorAll('.screen').forEach((s) => { s.hidden = s.dataset.screen !== name; });
  listeners.forEach((fn) => fn(name));
}

export function onScreenChange(fn) { listeners.push(fn); }

// Shows or hides a set of map layers.
export function setLayersVisible(map, ids, visible) {
  ids.forEach((id) => { if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none'); });
}
