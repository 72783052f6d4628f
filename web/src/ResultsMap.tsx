import { useEffect, useRef } from 'react';
import './leaflet-global.ts';
import 'leaflet.markercluster';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import 'leaflet.markercluster/dist/MarkerCluster.css';
import 'leaflet.markercluster/dist/MarkerCluster.Default.css';
import type { OfferResult, WebConfig } from './api.ts';
import { fetchDepartements } from './api.ts';
import { formatKm } from './labels.ts';

interface Props {
  config: WebConfig | null;
  center: { lat: number; lon: number } | null;
  radiusKm: number | null;
  results: OfferResult[];
  onSelect: (id: string) => void;
}

const FRANCE: L.LatLngBoundsExpression = [[41.3, -5.2], [51.1, 9.6]];

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!));

/**
 * Results on a Leaflet map: département outlines from the server (works offline), an optional tile layer,
 * clustered markers and the search radius. The list beside it carries the same information for keyboard users.
 */
export function ResultsMap({ config, center, radiusKm, results, onSelect }: Props) {
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const layers = useRef<{ markers: L.MarkerClusterGroup; overlay: L.LayerGroup } | null>(null);

  useEffect(() => {
    if (!el.current || map.current) return;
    const m = L.map(el.current, { zoomSnap: 0.5, minZoom: 4, maxZoom: 18, attributionControl: true, keyboard: true }).fitBounds(FRANCE);
    map.current = m;
    const markers = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 });
    const overlay = L.layerGroup().addTo(m);
    markers.addTo(m);
    layers.current = { markers, overlay };
    fetchDepartements()
      .then((geo) => {
        L.geoJSON(geo, { style: { color: '#6a6af4', weight: 1, fillColor: '#f5f5fe', fillOpacity: 0.6 }, interactive: false }).addTo(m).bringToBack();
      })
      .catch(() => undefined);
    return () => {
      m.remove();
      map.current = null;
    };
  }, []);

  useEffect(() => {
    if (!map.current || !config?.tileUrl) return;
    const tiles = L.tileLayer(config.tileUrl, { attribution: config.tileAttribution ?? '', maxZoom: 18 }).addTo(map.current);
    tiles.bringToBack();
    return () => {
      tiles.remove();
    };
  }, [config?.tileUrl, config?.tileAttribution]);

  useEffect(() => {
    const m = map.current;
    const l = layers.current;
    if (!m || !l) return;
    l.markers.clearLayers();
    l.overlay.clearLayers();
    if (!center) return;
    const origin = L.latLng(center.lat, center.lon);
    L.circleMarker(origin, { radius: 6, color: '#000091', fillColor: '#000091', fillOpacity: 1 })
      .bindTooltip('Lieu du patient').addTo(l.overlay);
    if (radiusKm) {
      const circle = L.circle(origin, { radius: radiusKm * 1000, color: '#000091', weight: 2, dashArray: '6 4', fill: false, interactive: false });
      circle.addTo(l.overlay);
      m.fitBounds(circle.getBounds(), { padding: [10, 10], animate: false });
    }
    for (const r of results) {
      if (r.location?.lat == null || r.location?.lon == null) continue;
      const icon = L.divIcon({ className: 'ror-marker', html: '<span></span>', iconSize: [22, 22], iconAnchor: [11, 11] });
      const marker = L.marker([r.location.lat, r.location.lon], { icon, title: r.name, alt: r.name, keyboard: false });
      const where = r.distanceKm != null ? ` — ${formatKm(r.distanceKm)}` : '';
      marker.bindPopup(`<strong>${escapeHtml(r.name)}</strong>${escapeHtml(where)}`);
      marker.on('click', () => onSelect(r.id));
      l.markers.addLayer(marker);
    }
  }, [center?.lat, center?.lon, radiusKm, results]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <div
      ref={el}
      className="ror-map"
      role="region"
      aria-label={`Carte des résultats${radiusKm ? `, rayon de ${radiusKm} km` : ''}`}
    />
  );
}
