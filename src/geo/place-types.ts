/**
 * The shapes of a commune and of a located address as the server sends them to the web app
 * (`/api/communes`, `/api/address`). web/src/api.ts imports them: this module must import nothing.
 */

/** A COG 2026 commune (or municipal arrondissement) with its centroid, as offered by the place autocomplete. */
export interface CommunePlace {
  /** INSEE code (COG), a string: leading zeros and 2A/2B matter. */
  code: string;
  name: string;
  departement: string;
  region: string;
  postcodes: string[];
  population: number;
  lat: number;
  lon: number;
}

export interface LocatedAddress {
  label: string;
  lat: number;
  lon: number;
  commune: CommunePlace;
  /** `adresse`: the geocoder placed the street or house number; `commune`: only the commune was found. */
  precision: 'adresse' | 'commune';
}
