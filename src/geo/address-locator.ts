/**
 * Where a free address is: through a geocoder speaking the API of the Base Adresse Nationale
 * (`ROR_GEOCODER_URL`, e.g. https://api-adresse.data.gouv.fr, or a deployment's own addok) when one is
 * configured and answers; otherwise, and always offline, at the centroid of the commune the address names
 * (postcode and/or commune name, COG 2026), said as such to the user.
 */
import { normalizePlaceName, type CommuneDirectory } from './commune-directory.ts';
import type { CommunePlace, LocatedAddress } from './place-types.ts';

export type { LocatedAddress } from './place-types.ts';

/** BAN / addok answer (GeoCodeJSON), the fields read here. */
interface GeocodeJson {
  features?: {
    geometry?: { coordinates?: [number, number] };
    properties?: { label?: string; citycode?: string; type?: string; score?: number };
  }[];
}

const GEOCODER_TIMEOUT_MS = 2500;

export class AddressLocator {
  constructor(
    private readonly communes: CommuneDirectory,
    private readonly geocoderUrl?: string,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  /** Up to `limit` places for the address; empty when neither the geocoder nor the commune list knows it. */
  async locate(text: string, limit = 5): Promise<LocatedAddress[]> {
    const q = text.trim();
    if (q.length < 3) return [];
    if (this.geocoderUrl) {
      const found = await this.geocode(q, limit).catch(() => []);
      if (found.length) return found;
    }
    const commune = this.communeOf(q);
    return commune ? [{ label: q, lat: commune.lat, lon: commune.lon, commune, precision: 'commune' }] : [];
  }

  private async geocode(q: string, limit: number): Promise<LocatedAddress[]> {
    const url = new URL('search/', this.geocoderUrl!.endsWith('/') ? this.geocoderUrl : `${this.geocoderUrl}/`);
    url.searchParams.set('q', q);
    url.searchParams.set('limit', String(limit));
    const res = await this.fetchFn(url, { signal: AbortSignal.timeout(GEOCODER_TIMEOUT_MS), headers: { accept: 'application/json' } });
    if (!res.ok) return [];
    const body = (await res.json()) as GeocodeJson;
    const out: LocatedAddress[] = [];
    for (const f of body.features ?? []) {
      const [lon, lat] = f.geometry?.coordinates ?? [];
      const commune = f.properties?.citycode ? this.communes.get(f.properties.citycode) : undefined;
      // A place outside the COG list (or without a position) cannot anchor a search.
      if (!commune || !Number.isFinite(lat) || !Number.isFinite(lon)) continue;
      const precise = f.properties?.type === 'housenumber' || f.properties?.type === 'street' || f.properties?.type === 'locality';
      out.push({ label: f.properties?.label ?? q, lat: lat!, lon: lon!, commune, precision: precise ? 'adresse' : 'commune' });
    }
    return out;
  }

  /**
   * The commune an address names: its postcode (the commune of that postcode whose name the text holds, else the
   * most populated), or else the longest commune name the text ends with ("… rue de Paris, Mantes la Jolie").
   */
  communeOf(text: string): CommunePlace | undefined {
    const key = ` ${normalizePlaceName(text)} `;
    const named = (c: CommunePlace) => key.includes(` ${normalizePlaceName(c.name)} `);
    const postcode = /(?:^|\D)(\d{5})(?:\D|$)/.exec(text)?.[1];
    if (postcode) {
      const candidates = this.communes.search(postcode, 50).filter((c) => c.postcodes.includes(postcode));
      if (candidates.length) return candidates.find(named) ?? candidates[0];
    }
    const words = key.trim().split(' ');
    for (let n = Math.min(6, words.length); n >= 1; n--) {
      const tail = words.slice(-n).join(' ');
      const [exact] = this.communes.named(tail);
      if (exact) return exact;
    }
    return undefined;
  }
}
