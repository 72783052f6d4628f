/** Turns ranked candidates into what the coordinator sees: labels, place, public contacts, capacity, freshness, reasons. */
import type { Queryable } from '../db/database.ts';
import type { CapacityAccess, RankedCandidate } from './offer-search.ts';
import { EXT, FIELD_LABELS, SYSTEMS } from './nos-systems.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type { Coded, OfferResult } from './api-types.ts';
import type { Coded, OfferResult } from './api-types.ts';

/** Default freshness threshold (days); the server passes `ROR_STALE_AFTER_DAYS` (src/referent/freshness.ts). */
export const STALE_AFTER_DAYS = 183;

/** What the caller may see of the result: capacities (by access profile) and the freshness threshold. */
export interface ViewOptions {
  capacityAccess?: CapacityAccess;
  staleAfterDays?: number;
}

const capacityShown = (access: CapacityAccess | undefined, field: string | undefined) =>
  (access ?? 'all') === 'all' || (access === 'medico-social' && field === '04');

/** The planned reopening day when the offer is closed now (notAvailable "closingReopeningDate"). */
function closedUntil(hs: Json, now: Date): string | undefined {
  const c = ((hs.notAvailable ?? []) as Json[]).find((x) => x.id === 'closingReopeningDate');
  if (!c) return undefined;
  const start = c.during?.start ? Date.parse(c.during.start) : -Infinity;
  const end = c.during?.end ? Date.parse(c.during.end) : Infinity;
  return start <= now.getTime() && now.getTime() < end ? (c.during?.end ?? 'indéterminée') : undefined;
}

const codingsIn = (concepts: Json[] | undefined, system: string): Coded[] =>
  (concepts ?? []).flatMap((cc) => (cc?.coding ?? []) as Json[]).filter((c) => c.system === system && c.code)
    .map((c) => ({ code: String(c.code), display: c.display }));

const ext = (r: Json | undefined, url: string): Json[] => ((r?.extension ?? []) as Json[]).filter((e) => e.url === url);
const sub = (e: Json, url: string): Json | undefined => ((e.extension ?? []) as Json[]).find((s) => s.url === url);
const codeOf = (v: Json | undefined): string | undefined => v?.valueCode ?? v?.valueCodeableConcept?.coding?.[0]?.code;

function publicLevel(e: Json | undefined): boolean {
  // Level 1 of TRE_R283 is "accès libre"; a missing level is treated as restricted.
  return codeOf(e) === '1';
}

function channelKind(channel: string | undefined, system: string | undefined): OfferResult['contacts'][number]['kind'] {
  // TRE_R200 (JDV_J225): 1 mobile, 2 fixed phone, 3 e-mail, 4 web address, 8 alert phone, 9 alert mail.
  switch (channel) {
    case '1': case '2': case '8': return 'phone';
    case '3': case '9': return system === 'email' || !system ? 'email' : 'mss';
    case '4': return 'url';
  }
  if (system === 'phone') return 'phone';
  if (system === 'email') return 'email';
  if (system === 'url') return 'url';
  return 'other';
}

function publicContacts(hs: Json, loc: Json | undefined): OfferResult['contacts'] {
  const out: OfferResult['contacts'] = [];
  for (const c of ext(hs, EXT.contact)) {
    if (!publicLevel(sub(c, EXT.confidentiality))) continue;
    const label = codeOf(sub(c, 'purposeContact')) ? sub(c, 'purposeContact')?.valueCodeableConcept?.coding?.[0]?.display : undefined;
    for (const t of ((c.extension ?? []) as Json[]).filter((s) => s.url === EXT.contactTelecom)) {
      if (!publicLevel(sub(t, EXT.telecomConfidentiality))) continue;
      const value = sub(t, 'telecomAddress')?.valueString;
      if (value) out.push({ kind: channelKind(codeOf(sub(t, EXT.telecomChannel)), undefined), value, label });
    }
  }
  for (const t of [...((hs.telecom ?? []) as Json[]), ...((loc?.telecom ?? []) as Json[])]) {
    if (!t.value || !publicLevel(sub(t, EXT.telecomConfidentiality))) continue;
    out.push({ kind: channelKind(codeOf(sub(t, EXT.telecomChannel)), t.system), value: t.value });
  }
  // The same number is often given both as the offer's contact and as its place's telecom: once is enough.
  const seen = new Set<string>();
  return out.filter((c) => {
    const key = c.value.replace(/\s+/g, '').toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function addressText(a: Json | undefined): string | undefined {
  if (!a) return undefined;
  const text = [...((a.line ?? []) as string[]), [a.postalCode, a.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  return text || a.text;
}

function capacityUpdate(loc: Json | undefined): string | undefined {
  const dates = ext(loc, EXT.supportedCapacity).map((e) => sub(e, 'capacityUpdateDate')?.valueDateTime).filter(Boolean) as string[];
  return dates.sort().at(-1);
}

const formatKm = (km: number) => `${km.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} km`;

function reasonsFor(c: RankedCandidate, r: Omit<OfferResult, 'reasons'>, wanted: { activity: string[]; text?: string }): string[] {
  const reasons: string[] = [];
  const act = r.activities.filter((a) => wanted.activity.includes(a.code));
  if (act.length) reasons.push(`Activité : ${act.map((a) => a.display ?? a.code).join(', ')}`);
  else if (wanted.text && c.relevance > 0) reasons.push(`Correspond à « ${wanted.text} »`);
  if (c.zoneMatch) reasons.push('Intervient dans votre commune');
  if (c.km != null) reasons.push(`À ${formatKm(c.km)}`);
  if (c.availablePlaces > 0) reasons.push(`${c.availablePlaces} place${c.availablePlaces > 1 ? 's' : ''} disponible${c.availablePlaces > 1 ? 's' : ''}`);
  if (c.homeVisit && !c.zoneMatch) reasons.push('Se déplace à domicile');
  return reasons;
}

/** Reads the offers of a result page with their place and organisation, and builds the displayed results. */
export async function viewOffers(
  db: Queryable,
  page: RankedCandidate[],
  wanted: { activity: string[]; text?: string },
  now = new Date(),
  opts: ViewOptions = {},
): Promise<OfferResult[]> {
  if (!page.length) return [];
  const ids = page.map((c) => c.id);
  const locIds = page.map((c) => c.locationId).filter((x): x is string => !!x);
  const hsRows = (await db.query<{ id: string; content: Json }>('SELECT id, content FROM healthcare_service WHERE id = ANY($1)', [ids])).rows;
  const locRows = locIds.length ? (await db.query<{ id: string; content: Json }>('SELECT id, content FROM location WHERE id = ANY($1)', [locIds])).rows : [];
  const hsById = new Map(hsRows.map((r) => [r.id, r.content]));
  const locById = new Map(locRows.map((r) => [r.id, r.content]));
  const orgIds = [...new Set(hsRows.map((r) => String(r.content.providedBy?.reference ?? '').split('/')[1]).filter(Boolean))];
  const orgRows = orgIds.length ? (await db.query<{ id: string; content: Json }>('SELECT id, content FROM organization WHERE id = ANY($1) AND NOT deleted', [orgIds])).rows : [];
  const orgById = new Map(orgRows.map((r) => [r.id, r.content]));

  return page.flatMap((c) => {
    const hs = hsById.get(c.id);
    if (!hs) return [];
    const loc = c.locationId ? locById.get(c.locationId) : undefined;
    const orgId = String(hs.providedBy?.reference ?? '').split('/')[1];
    const org = orgId ? orgById.get(orgId) : undefined;
    const patient = ext(hs, EXT.patientType)[0];
    const range = patient && sub(patient, 'ageRange')?.valueRange;
    const field = codingsIn(hs.type, SYSTEMS.field)[0];
    const ageDays = (now.getTime() - Date.parse(c.lastUpdated)) / 86_400_000;
    const base: Omit<OfferResult, 'reasons'> = {
      id: c.id,
      name: hs.name ?? org?.name ?? 'Offre sans nom',
      organization: orgId ? { id: orgId, name: org?.name ?? hs.providedBy?.display } : undefined,
      field: field ? { code: field.code, display: FIELD_LABELS[field.code] ?? field.display } : undefined,
      activities: codingsIn(hs.specialty, SYSTEMS.activity),
      careModes: codingsIn(hs.characteristic, SYSTEMS.careMode),
      publics: (patient ? ((patient.extension ?? []) as Json[]).filter((s) => s.url === 'supportedPatientInfo') : [])
        .flatMap((s) => (s.valueCodeableConcept?.coding ?? []) as Json[]).map((x) => ({ code: String(x.code), display: x.display })),
      ageRange: range ? { low: range.low?.value, high: range.high?.value } : undefined,
      distanceKm: c.km == null ? null : Math.round(c.km * 10) / 10,
      homeVisit: c.homeVisit,
      interventionZoneMatch: c.zoneMatch,
      location: loc ? {
        id: c.locationId!,
        name: loc.name,
        address: addressText(loc.address),
        commune: ext(loc, EXT.communeCog)[0]?.valueCodeableConcept?.coding?.[0]?.code,
        lat: loc.position?.latitude,
        lon: loc.position?.longitude,
      } : undefined,
      contacts: publicContacts(hs, loc),
      ...(capacityShown(opts.capacityAccess, field?.code) ? { capacity: { availablePlaces: c.availablePlaces, updatedAt: capacityUpdate(loc) } } : {}),
      ...(closedUntil(hs, now) ? { closedUntil: closedUntil(hs, now) } : {}),
      lastUpdated: c.lastUpdated,
      stale: ageDays > (opts.staleAfterDays ?? STALE_AFTER_DAYS),
      score: c.score,
      fhirUrl: `/fhir/HealthcareService/${encodeURIComponent(c.id)}`,
    };
    return [{ ...base, reasons: reasonsFor(c, base, wanted) }];
  });
}

/** Everything about one offer that an anonymous coordinator may see (the detail page). */
export interface OfferDetail extends Omit<OfferResult, 'distanceKm' | 'interventionZoneMatch' | 'score' | 'reasons' | 'location' | 'capacity'> {
  comment?: string;
  /** Communes or other territorial divisions of the intervention zone (codes as stored). */
  interventionZone: string[];
  /** availablePlaces / capacityUpdatedAt: absent when the caller may not see capacities. */
  locations: { id: string; name?: string; address?: string; commune?: string; lat?: number; lon?: number; availablePlaces?: number; capacityUpdatedAt?: string }[];
  organizationAddress?: string;
}

function availableAt(loc: Json | undefined): number {
  let n = 0;
  for (const e of ext(loc, EXT.supportedCapacity)) {
    const status = codeOf(sub(e, 'capacityStatus'));
    const temporality = codeOf(sub(e, 'temporalityCapacity'));
    if (status === '02' && (temporality === undefined || temporality === '01')) n += Number(sub(e, 'nbCapacity')?.valueInteger ?? 0) || 0;
  }
  return n;
}

/** One offer with its places and organisation, or undefined when it does not exist, is deleted or is a sensitive unit. */
export async function offerDetail(db: Queryable, id: string, now = new Date(), opts: ViewOptions = {}): Promise<OfferDetail | undefined> {
  const row = (await db.query<{ content: Json; last_updated: Date | string }>(
    'SELECT content, last_updated FROM healthcare_service WHERE id = $1 AND NOT deleted AND NOT sensitive', [id])).rows[0];
  if (!row) return undefined;
  const hs = row.content;
  const locIds = ((hs.location ?? []) as Json[]).map((r) => String(r.reference ?? '').split('/')[1]).filter(Boolean);
  const locs = locIds.length
    ? (await db.query<{ id: string; content: Json }>('SELECT id, content FROM location WHERE id = ANY($1) AND NOT deleted', [locIds])).rows
    : [];
  const orgId = String(hs.providedBy?.reference ?? '').split('/')[1];
  const org = orgId ? (await db.query<{ content: Json }>('SELECT content FROM organization WHERE id = $1 AND NOT deleted', [orgId])).rows[0]?.content : undefined;
  const patient = ext(hs, EXT.patientType)[0];
  const range = patient && sub(patient, 'ageRange')?.valueRange;
  const field = codingsIn(hs.type, SYSTEMS.field)[0];
  const lastUpdated = new Date(row.last_updated).toISOString();
  const showCapacity = capacityShown(opts.capacityAccess, field?.code);
  return {
    id,
    name: hs.name ?? org?.name ?? 'Offre sans nom',
    organization: orgId ? { id: orgId, name: org?.name ?? hs.providedBy?.display } : undefined,
    organizationAddress: addressText(Array.isArray(org?.address) ? org?.address[0] : org?.address),
    field: field ? { code: field.code, display: FIELD_LABELS[field.code] ?? field.display } : undefined,
    activities: codingsIn(hs.specialty, SYSTEMS.activity),
    careModes: codingsIn(hs.characteristic, SYSTEMS.careMode),
    publics: (patient ? ((patient.extension ?? []) as Json[]).filter((s) => s.url === 'supportedPatientInfo') : [])
      .flatMap((s) => (s.valueCodeableConcept?.coding ?? []) as Json[]).map((x) => ({ code: String(x.code), display: x.display })),
    ageRange: range ? { low: range.low?.value, high: range.high?.value } : undefined,
    homeVisit: codingsIn(hs.characteristic, SYSTEMS.receptionModality).some((c) => c.code === '05'),
    comment: hs.comment,
    interventionZone: ext(hs, EXT.territorialDivision)
      .map((e) => sub(e, 'codeTerritorialDivision')?.valueCodeableConcept?.coding?.[0]?.code).filter(Boolean) as string[],
    locations: locs.map((l) => ({
      id: l.id,
      name: l.content.name,
      address: addressText(l.content.address),
      commune: ext(l.content, EXT.communeCog)[0]?.valueCodeableConcept?.coding?.[0]?.code,
      lat: l.content.position?.latitude,
      lon: l.content.position?.longitude,
      ...(showCapacity ? { availablePlaces: availableAt(l.content), capacityUpdatedAt: capacityUpdate(l.content) } : {}),
    })),
    contacts: publicContacts(hs, locs[0]?.content),
    lastUpdated,
    ...(closedUntil(hs, now) ? { closedUntil: closedUntil(hs, now) } : {}),
    stale: (now.getTime() - Date.parse(lastUpdated)) / 86_400_000 > (opts.staleAfterDays ?? STALE_AFTER_DAYS),
    fhirUrl: `/fhir/HealthcareService/${encodeURIComponent(id)}`,
  };
}
