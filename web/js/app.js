// Start-up: language, map, screens. Exposes window.antes for debugging and browser tests.
import { api } from './api.js';
import { createMap } from './map.js';
import { initialLang, loadLang } from './i18n.js';
import { initPlacesList, attachPlacesMap, openLinkedPlace, placesState } from './places.js';
import { initNav, initViewSwitch, showScreen } from './screens.js';
import { loadMe } from './auth.js';
import { initRequests, requestsState } from './requests.js';
import { initVolunteer, volunteerState } from './volunteer.js';
import { initCoordination } from './coordination.js';
import { initKitchens } from './kitchen.js';
import { openResetLink } from './password.js';
import { initReports } from './reports.js';
import { initOffline, startOutbox } from './offline.js';

async function main() {
  const select = document.getElementById('lang-select');
  await loadLang(initialLang());
  select.value = document.documentElement.lang;
  select.addEventListener('change', () => loadLang(select.value));
  initOffline();
  initNav();
  initViewSwitch(() => window.antes?.map);

  // The list first: on a phone it is usable before MapLibre (1.4 MB unpacked) has arrived.
  const config = await api('/api/config');
  window.antes = { map: null, places: placesState, requests: requestsState, volunteer: volunteerState };
  await initPlacesList(config);
  document.body.dataset.listReady = '1';
  performance.mark('list-ready');
  await new Promise((resolve) => { requestAnimationFrame(() => setTimeout(resolve, 0)); });

  const map = await createMap('map', config);
  window.antes.map = map;
  map.on('error', (e) => console.error('map error', e.error?.message ?? e));
  attachPlacesMap(map);
  const fromLink = initRequests(map);
  initVolunteer(map);
  initCoordination(map);
  initKitchens(map);
  initReports(config);
  await loadMe();
  // A coordinator's one-time link (/?reset#token=TOKEN) opens the new-password form.
  openResetLink();
  // The private link (/?request=ID&token=TOKEN) opens the request's status view.
  if (fromLink) showScreen('request');
  await openLinkedPlace();
  await startOutbox();
  document.body.dataset.ready = '1';
}

main().catch((err) => {
  console.error(err);
  document.body.dataset.failed = '1';
});
