import { useEffect, useRef } from 'react';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';

/** Five classes of population rate, light to dark blue (contrast of the legend text checked against white). */
export const RATE_CLASSES: { min: number; color: string; label: string }[] = [
  { min: 0, color: '#f5f5fe', label: 'moins de 20 %' },
  { min: 0.2, color: '#cacafb', label: '20 à 40 %' },
  { min: 0.4, color: '#8585f6', label: '40 à 60 %' },
  { min: 0.6, color: '#4d4dd0', label: '60 à 80 %' },
  { min: 0.8, color: '#000091', label: '80 % et plus' },
];
const NO_DATA = '#e5e5e5';

export const colorOf = (rate: number | undefined) =>
  rate === undefined ? NO_DATA : [...RATE_CLASSES].reverse().find((c) => rate >= c.min)!.color;

interface Props {
  outlines: GeoJSON.FeatureCollection | null;
  /** Rate by outline code (région or département). */
  rates: Map<string, number>;
  /** Only the outlines whose code is in this set (a région's départements); all when absent. */
  only?: Set<string>;
  label: string;
}

/**
 * A choropleth of France (Leaflet, outlines from the server: works offline). The table beside it gives the same
 * figures to keyboard and screen-reader users, so the map itself is presentational.
 */
export function RateMap({ outlines, rates, only, label }: Props) {
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);

  useEffect(() => {
    if (!el.current || map.current) return;
    // Presentational (aria-hidden, the table carries the figures): nothing inside may take the focus.
    map.current = L.map(el.current, { zoomSnap: 0.25, minZoom: 4, maxZoom: 10, attributionControl: false, keyboard: false, zoomControl: false, scrollWheelZoom: false })
      .fitBounds([[41.3, -5.2], [51.1, 9.6]]);
    el.current.removeAttribute('tabindex');
    return () => {
      map.current?.remove();
      map.current = null;
    };
  }, []);

  useEffect(() => {
    const m = map.current;
    if (!m || !outlines) return;
    const features = outlines.features.filter((f) => !only || only.has(String(f.properties?.code)));
    const layer = L.geoJSON({ type: 'FeatureCollection', features } as GeoJSON.FeatureCollection, {
      style: (f) => ({ color: '#3a3a3a', weight: 1, fillColor: colorOf(rates.get(String(f?.properties?.code))), fillOpacity: 0.85 }),
      onEachFeature: (f, l) => {
        const r = rates.get(String(f.properties?.code));
        l.bindTooltip(`${f.properties?.nom} : ${r === undefined ? 'pas de données' : `${Math.round(r * 1000) / 10} %`}`, { sticky: true });
      },
    }).addTo(m);
    if (features.length) m.fitBounds(layer.getBounds(), { padding: [8, 8] });
    return () => {
      layer.remove();
    };
  }, [outlines, rates, only]);

  return (
    <figure className="ror-dashboard-map" aria-label={label}>
      <div ref={el} className="ror-choropleth" aria-hidden="true" data-testid="carte-taux" />
      <figcaption>
        <span className="fr-text--sm">{label}</span>
        <ul className="ror-legend">
          {RATE_CLASSES.map((c) => (
            <li key={c.min}><span className="ror-swatch" style={{ background: c.color }} />{c.label}</li>
          ))}
          <li><span className="ror-swatch" style={{ background: NO_DATA }} />pas de données</li>
        </ul>
      </figcaption>
    </figure>
  );
}
