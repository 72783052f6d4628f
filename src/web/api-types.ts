/**
 * The shapes of the coordinator JSON API (/api/search, /api/offers, /api/places/mine), shared by the server and the web app
 * (web/src/api.ts imports them: this module must import nothing).
 */
export interface Coded {
  code: string;
  display?: string;
}

export interface OfferResult {
  id: string;
  name: string;
  organization?: { id: string; name?: string };
  field?: Coded;
  activities: Coded[];
  careModes: Coded[];
  publics: Coded[];
  ageRange?: { low?: number; high?: number };
  distanceKm: number | null;
  homeVisit: boolean;
  interventionZoneMatch: boolean;
  location?: { id: string; name?: string; address?: string; commune?: string; lat?: number; lon?: number };
  /** Only the contacts whose confidentiality level is "accès libre" (public), as nobody is signed in. */
  contacts: { kind: 'phone' | 'email' | 'mss' | 'url' | 'other'; value: string; label?: string }[];
  /** Absent when the caller may not see capacities (anonymous visitors: access profile 0). */
  capacity?: { availablePlaces: number; updatedAt?: string };
  /** Planned reopening day when the offer is temporarily closed now. */
  closedUntil?: string;
  lastUpdated: string;
  /** Not confirmed nor updated for more than `ROR_STALE_AFTER_DAYS` (6 months by default). */
  stale: boolean;
  score: number;
  /** Why this offer is in the list, in French. */
  reasons: string[];
  fhirUrl: string;
}

/** A site of the signed-in person's structures, usable as the place of the search ("Ma structure"). */
export interface MyPlace {
  locationId: string;
  organizationId: string;
  name: string;
  lat: number;
  lon: number;
  /** INSEE code of the site's commune, when indexed (intervention zones are matched on it). */
  commune?: string;
}
