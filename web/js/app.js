// Start-up: language, map, screens. Exposes window.antes for debugging and browser tests.
import { api } from './api.js';
import { createMap } from './map.js';
import { initialLang, loadLang } from './i18n.js';
import { initPlacesList, attachPlacesMap, openLinkedPlace, placesState, showDetail } from './places.js';
import { initNav, initViewSwitch, openScreenLink, showScreen } from './screens.js';
import { loadMe } from './auth.js';
import { initRequests, requestsState } from './requests.js';
import { initVolunteer, volunteerState } from './volunteer.js';
import { initCoordination } from './coordination.js';
import { initKitchens } from './kitchen.js';
import { openResetLink } from './password.js';
import { initReports } from './reports.js';
import { initOffline, startOutbox } from './offline.js';
import { openUnsubscribeLink } from './notifications.js';

// A tapped notification when the app is already open (sw.js): go where it points, no reload.
function openFromNotification(e) {
  if (e.data?.type !== 'open') return;
  const url = new URL(e.data.url, location.origin);
  const place = Number(url.searchParams.get('place'));
  if (Number.isInteger(place) && place > 0) {
    showScreen('nearby');
    showDetail(place, { center: true });
  } else openScreenLink(url.search);
}

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
  // The private link (/?request=ID&token=TOKEN) opens the request's status view; a
  // notification's link (/?screen=volunteer) its screen.
  if (fromLink) showScreen('request'); else openScreenLink();
  // A mail's unsubscribe link (/?unsubscribe=TOKEN) asks before it turns mail off.
  openUnsubscribeLink();
  navigator.serviceWorker?.addEventListener('message', openFromNotification);
  await openLinkedPlace();
  await startOutbox();
  document.body.dataset.ready = '1';
}

main().catch((err) => {
  console.error(err);
  document.body.dataset.failed = '1';
});
