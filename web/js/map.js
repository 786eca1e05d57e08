// The MapLibre map: style from /api/config, opening on Santa Fe city. MapLibre itself is
// loaded here, after the list is on screen, not by the page's <head>.
/* global maplibregl */
import { t } from './i18n.js';
const MAPLIBRE = '/vendor/maplibre-gl-5.24.1';

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(s);
  });
}

function loadStyle(href) {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  document.head.append(link);
}

// The Protomaps style (vendored layers, Spanish labels) over the deployment's own PMTiles
// archive, served tile by tile from /tiles/basemap.
async function streetStyle({ flavor, maxzoom }) {
  const res = await fetch(`/basemap/protomaps/${flavor}.json`);
  const { layers } = await res.json();
  return {
    version: 8,
    glyphs: `${window.location.origin}/basemap/fonts/{fontstack}/{range}.pbf`,
    sources: {
      protomaps: {
        type: 'vector',
        tiles: [`${window.location.origin}/tiles/basemap/{z}/{x}/{y}.mvt`],
        maxzoom,
        attribution: '© OpenStreetMap',
      },
    },
    layers,
  };
}

export async function createMap(container, config) {
  loadStyle(`${MAPLIBRE}/maplibre-gl.css`);
  const style = config.basemap ? streetStyle(config.basemap) : config.style_url;
  await loadScript(`${MAPLIBRE}/maplibre-gl-csp.js`);
  maplibregl.setWorkerUrl(`${MAPLIBRE}/maplibre-gl-csp-worker.js`);
  const map = new maplibregl.Map({
    container,
    style: await style,
    center: config.center,
    zoom: config.zoom,
    attributionControl: { compact: true },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  await new Promise((resolve) => map.once('load', resolve));
  if (config.basemap) {
    const credit = document.querySelector('[data-i18n="footer.basemap"]');
    if (credit) credit.dataset.i18n = 'footer.basemap_osm';
    credit?.replaceChildren(t('footer.basemap_osm'));
  }
  return map;
}

// A circle as a GeoJSON polygon, for drawing a search radius.
export function circle(lon, lat, radiusM, steps = 64) {
  const R = 6371008.8;
  const d = radiusM / R;
  const la = (lat * Math.PI) / 180;
  const lo = (lon * Math.PI) / 180;
  const ring = [];
  for (let i = 0; i <= steps; i++) {
    const b = (2 * Math.PI * i) / steps;
    const la2 = Math.asin(Math.sin(la) * Math.cos(d) + Math.cos(la) * Math.sin(d) * Math.cos(b));
    const lo2 = lo + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(la), Math.cos(d) - Math.sin(la) * Math.sin(la2));
    ring.push([(lo2 * 180) / Math.PI, (la2 * 180) / Math.PI]);
  }
  return { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [ring] } };
}

export const EMPTY = { type: 'FeatureCollection', features: [] };
