import { useEffect, useRef } from 'react';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { fetchConfig, fetchDepartements, type Commune } from '../api.ts';

const FRANCE: L.LatLngBoundsExpression = [[41.3, -5.2], [51.1, 9.6]];
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!));

/**
 * The practice places and the communes of the intervention zone on a Leaflet map (département outlines from the
 * server, works offline; tiles when configured), as the coordinators' map shows them. The list of picked
 * communes beside it carries the same information for keyboard and screen-reader users.
 */
export function ZoneMap({ places, zone }: { places: Commune[]; zone: Commune[] }) {
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const layer = useRef<L.LayerGroup | null>(null);

  useEffect(() => {
    if (!el.current || map.current) return;
    const m = L.map(el.current, { zoomSnap: 0.5, minZoom: 4, maxZoom: 16 }).fitBounds(FRANCE);
    map.current = m;
    layer.current = L.layerGroup().addTo(m);
    fetchDepartements()
      .then((geo) => L.geoJSON(geo, { style: { color: '#6a6af4', weight: 1, fillColor: '#f5f5fe', fillOpacity: 0.6 }, interactive: false }).addTo(m).bringToBack())
      .catch(() => undefined);
    fetchConfig()
      .then((c) => {
        if (c.tileUrl) L.tileLayer(c.tileUrl, { attribution: c.tileAttribution ?? '', maxZoom: 18 }).addTo(m).bringToBack();
      })
      .catch(() => undefined);
    return () => {
      m.remove();
      map.current = null;
    };
  }, []);

  useEffect(() => {
    const m = map.current;
    const l = layer.current;
    if (!m || !l) return;
    l.clearLayers();
    const points: L.LatLng[] = [];
    for (const c of zone) {
      const p = L.latLng(c.lat, c.lon);
      points.push(p);
      L.circle(p, { radius: 1500, color: '#18753c', weight: 1, fillColor: '#b8fec9', fillOpacity: 0.5, className: 'ror-zone-commune' })
        .bindTooltip(escapeHtml(c.name)).addTo(l);
    }
    for (const c of places) {
      const p = L.latLng(c.lat, c.lon);
      points.push(p);
      L.circleMarker(p, { radius: 7, color: '#000091', fillColor: '#000091', fillOpacity: 1, className: 'ror-zone-place' })
        .bindTooltip(`Cabinet — ${escapeHtml(c.name)}`).addTo(l);
    }
    if (points.length) m.fitBounds(L.latLngBounds(points).pad(0.3), { animate: false, maxZoom: 12 });
  }, [places.map((c) => c.code).join(), zone.map((c) => c.code).join()]); // eslint-disable-line react-hooks/exhaustive-deps

  return <div ref={el} className="ror-map" role="region" aria-label={`Carte : ${places.length} lieu(x) d'exercice, ${zone.length} commune(s) dans la zone d'intervention`} />;
}
