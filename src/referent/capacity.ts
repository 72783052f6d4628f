/**
 * Quick updates of a place's capacities and of an offer's temporary closure, as pure functions on the
 * resources (the routes write the result through the store, with If-Match). A capacity record is one
 * `ror-location-supported-capacity` extension (ror-ig.md §1.5); a quick update touches the current
 * (temporality 01) record of one nature (TRE_R329: 01 lit, 02 place) and status, and stamps its
 * capacityUpdateDate (dateMAJCapacite).
 */
import type { Resource } from '../fhir/types.ts';
import { EXT, SYSTEMS } from '../web/nos-systems.ts';
import type { CapacityRecord } from './api-types.ts';

const tre = (name: string) => `https://mos.esante.gouv.fr/NOS/TRE_${name}/FHIR/TRE-${name}`;
export const CAPACITY_SYSTEMS = {
  type: tre('R329-NatureCapacite'),
  status: SYSTEMS.capacityStatus,
  temporality: 'urn:oid:1.2.250.1.213.3.3.214',
  source: 'urn:oid:1.2.250.1.213.3.3.218',
  assignment: tre('R337-AffectationTemporaire'),
} as const;

/** TRE_R329 natures and TRE_R330 statuses a quick update may set. */
export const CAPACITY_TYPES: Record<string, string> = { '01': 'Lit', '02': 'Place' };
export const CAPACITY_STATUSES: Record<string, string> = {
  '01': 'Installé', '02': 'Disponible', '03': 'Occupé', '04': 'Réservé', '05': 'Fermé', '06': 'Supplémentaire',
};
/** The ids of `HealthcareService.notAvailable` slice "closingReopeningDate" (fixed id in the IG). */
export const CLOSURE_ID = 'closingReopeningDate';

type Ext = { url: string; extension?: Ext[]; valueCodeableConcept?: { coding?: { system?: string; code?: string; display?: string }[] }; valueInteger?: number; valueDateTime?: string; valueCode?: string };

const sub = (e: Ext, url: string) => e.extension?.find((s) => s.url === url);
const codeOf = (e: Ext | undefined) => e?.valueCode ?? e?.valueCodeableConcept?.coding?.[0]?.code;

export type { CapacityRecord } from './api-types.ts';

export function capacitiesOf(location: Resource): CapacityRecord[] {
  return ((location.extension ?? []) as Ext[]).filter((e) => e.url === EXT.supportedCapacity).map((e) => ({
    type: codeOf(sub(e, 'capacityType')) ?? '',
    status: codeOf(sub(e, 'capacityStatus')) ?? '',
    temporality: codeOf(sub(e, 'temporalityCapacity')) ?? '01',
    count: Number(sub(e, 'nbCapacity')?.valueInteger ?? 0),
    updatedAt: sub(e, 'capacityUpdateDate')?.valueDateTime,
  }));
}

function record(type: string, status: string, count: number, at: string): Ext {
  const cc = (url: string, system: string, code: string, display?: string): Ext => ({ url, valueCodeableConcept: { coding: [{ system, code, ...(display ? { display } : {}) }] } });
  return {
    url: EXT.supportedCapacity,
    extension: [
      cc('capacityType', CAPACITY_SYSTEMS.type, type, CAPACITY_TYPES[type]),
      cc('capacityStatus', CAPACITY_SYSTEMS.status, status, CAPACITY_STATUSES[status]),
      cc('temporalityCapacity', CAPACITY_SYSTEMS.temporality, '01', 'Courant'),
      { url: 'nbCapacity', valueInteger: count },
      cc('capacitySourceType', CAPACITY_SYSTEMS.source, '01', 'Saisie manuelle'),
      { url: 'capacityUpdateDate', valueDateTime: at },
      cc('temporaryAssignement', CAPACITY_SYSTEMS.assignment, '01', 'Aucune'),
    ],
  };
}

/**
 * The place with `count` capacities of nature `type` in status `status` now (temporality 01, no crisis or
 * supplementary assignment): the matching record is updated in place (source "saisie manuelle", update date
 * `at`), or added when there is none.
 */
export function withCapacity(location: Resource, change: { type: string; status: string; count: number }, at: Date = new Date()): Resource {
  const stamp = at.toISOString();
  const extension = structuredClone((location.extension ?? []) as Ext[]);
  const matches = (e: Ext) => e.url === EXT.supportedCapacity
    && codeOf(sub(e, 'capacityType')) === change.type && codeOf(sub(e, 'capacityStatus')) === change.status
    && (codeOf(sub(e, 'temporalityCapacity')) ?? '01') === '01' && !sub(e, 'crisisType') && !sub(e, 'additionalBedType');
  const i = extension.findIndex(matches);
  if (i < 0) {
    extension.push(record(change.type, change.status, change.count, stamp));
  } else {
    const e = extension[i];
    const set = (url: string, value: Ext) => {
      const j = e.extension!.findIndex((s) => s.url === url);
      if (j < 0) e.extension!.push(value);
      else e.extension![j] = value;
    };
    set('nbCapacity', { url: 'nbCapacity', valueInteger: change.count });
    set('capacityUpdateDate', { url: 'capacityUpdateDate', valueDateTime: stamp });
    set('capacitySourceType', record(change.type, change.status, 0, stamp).extension![4]);
  }
  return { ...location, extension };
}

/** The temporary closure of an offer (notAvailable "closingReopeningDate"), if it has one. */
export function closureOf(offer: Resource): { from?: string; until?: string; description?: string } | undefined {
  const na = (offer.notAvailable ?? []) as { id?: string; description?: string; during?: { start?: string; end?: string } }[];
  const c = na.find((x) => x.id === CLOSURE_ID);
  return c ? { from: c.during?.start, until: c.during?.end, description: c.description } : undefined;
}

/** Is the offer closed at `now` (closure started and its reopening date not reached)? */
export function closedAt(offer: Resource, now = new Date()): boolean {
  const c = closureOf(offer);
  if (!c) return false;
  const t = now.getTime();
  return (!c.from || Date.parse(c.from) <= t) && (!c.until || Date.parse(c.until) > t);
}

/** The offer closed from `from` until the planned reopening `until` (ISO dates), or reopened (null). */
export function withClosure(offer: Resource, closure: { from: string; until: string; reason?: string } | null): Resource {
  const others = ((offer.notAvailable ?? []) as { id?: string }[]).filter((x) => x.id !== CLOSURE_ID);
  const notAvailable = closure
    ? [...others, { id: CLOSURE_ID, description: closure.reason?.trim() || 'Fermeture temporaire', during: { start: closure.from, end: closure.until } }]
    : others;
  const out: Resource = { ...offer, notAvailable };
  if (!notAvailable.length) delete out.notAvailable;
  return out;
}
