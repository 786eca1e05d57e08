// The MapLibre map: style from /api/config, opening on Santa Fe city.
/* global maplibregl */
import { api } from './api.js';

export async function createMap(container) {
  const config = await api('/api/config');
  maplibregl.setWorkerUrl('/vendor/maplibre-gl-5.24.1/maplibre-gl-csp-worker.js');
  const map = new maplibregl.Map({
    container,
    style: config.style_url,
    center: config.center,
    zoom: config.zoom,
    attributionControl: { compact: true },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  await new Promise((resolve) => map.once('load', resolve));
  return { map, config };
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
