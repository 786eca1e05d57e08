// Start-up: language, map, screens. Exposes window.antes for debugging and browser tests.
import { createMap } from './map.js';
import { initialLang, loadLang } from './i18n.js';
import { initPlaces, placesState } from './places.js';
import { initKitchens } from './kitchen.js';

function showScreen(name) {
  document.querySelectorAll('.tabs [data-screen]').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.screen === name)));
  document.querySelectorAll('.screen').forEach((s) => { s.hidden = s.dataset.screen !== name; });
  document.dispatchEvent(new CustomEvent('screen-shown', { detail: name }));
}

async function main() {
  const select = document.getElementById('lang-select');
  await loadLang(initialLang());
  select.value = document.documentElement.lang;
  select.addEventListener('change', () => loadLang(select.value));
  document.querySelectorAll('.tabs [data-screen]').forEach((b) => b.addEventListener('click', () => showScreen(b.dataset.screen)));

  const { map, config } = await createMap('map');
  window.antes = { map, places: placesState };
  map.on('error', (e) => console.error('map error', e.error?.message ?? e));
  await initPlaces(map, config);
  initKitchens(map);
  document.body.dataset.ready = '1';
}

main().catch((err) => {
  console.error(err);
  document.body.dataset.failed = '1';
});
