/**
 * Demo offers of real establishments imported from FINESS: the structures are real (FINESS), their offers
 * and capacities are synthetic (tagged so) — the ROR has them, open data does not. One offer per activity
 * and care mode, as the ROR models it; bed- or place-based offers get their own place (zone
 * d'hébergement, partOf the establishment's Location) carrying today's capacity records.
 */
import type { Resource } from '../fhir/types.ts';
import { capacity, cc, interventionZone, offerContact, patientType, rorExt, rorTelecom, SYNTHETIC_TAG, SYSTEM } from './codes.ts';
import { Random } from './random.ts';

/** An imported FINESS site (EG) with its place, as the demo reads it back from the store. */
export interface DemoSite {
  nofinesset: string;
  category: string;
  name: string;
  organizationId: string;
  location: Resource;
  region?: string;
}

export interface OfferTemplate {
  activity: [code: string, display: string];
  field: [code: string, display: string];
  careMode: [code: string, display: string];
  audience: [code: string, display: string][];
  ages: [number, number];
  capacity?: { kind: 'lit' | 'place'; min: number; max: number };
  /** Places (zones d'hébergement, units) the capacity is split into, each with its records (default 1). */
  units?: [min: number, max: number];
  speciality?: [code: string, display: string];
  /** Care delivered where people live: an intervention zone around the site. */
  atHome?: boolean;
}

export const MCO: [string, string] = ['01', 'Médecine Chirurgie Obstétrique (MCO)'];
export const SMR: [string, string] = ['02', 'Soins de Suite et Réadaptation (SSR)'];
export const PSY: [string, string] = ['03', 'Psychiatrie (PSY)'];
export const MS: [string, string] = ['04', 'Médico-social (MS)'];
export const HC: [string, string] = ['28', 'Hospitalisation complète (HC)'];
export const HJ: [string, string] = ['29', 'Hospitalisation de jour (HJ)'];
export const ALL: [string, string][] = [['07', 'Tout public']];
export const ELDERLY: [string, string][] = [['01', "Personnes âgées en perte d'autonomie (PA) et aidants"]];
export const DISABLED: [string, string][] = [['02', 'Personnes en situation de handicap (PH) et aidants']];

/** What each FINESS category (TRE_R66) offers in the demo. */
export const TEMPLATES: Record<string, OfferTemplate[]> = {
  // Centre hospitalier
  '355': [
    { activity: ['157', 'Urgences polyvalentes'], field: MCO, careMode: ['33', 'Accueil des urgences'], audience: ALL, ages: [0, 120] },
    { activity: ['083', 'Médecine polyvalente'], field: MCO, careMode: HC, audience: ALL, ages: [16, 120], capacity: { kind: 'lit', min: 20, max: 40 } },
    { activity: ['100', 'Obstétrique'], field: MCO, careMode: HC, audience: ALL, ages: [12, 55], capacity: { kind: 'lit', min: 12, max: 30 } },
    { activity: ['491', 'Médecine gériatrique aiguë'], field: MCO, careMode: HC, audience: ELDERLY, ages: [75, 120], capacity: { kind: 'lit', min: 15, max: 30 } },
    { activity: ['025', 'Chirurgie orthopédique et traumatologique'], field: MCO, careMode: HC, audience: ALL, ages: [16, 120], capacity: { kind: 'lit', min: 15, max: 30 } },
  ],
  // Établissement de santé privé autorisé en SSR
  '109': [
    { activity: ['172', 'Réadaptation polyvalente'], field: SMR, careMode: HC, audience: ALL, ages: [18, 120], capacity: { kind: 'lit', min: 20, max: 50 } },
    { activity: ['233', "Réadaptation des affections de l'appareil locomoteur"], field: SMR, careMode: HC, audience: ALL, ages: [18, 120], capacity: { kind: 'lit', min: 15, max: 40 } },
    { activity: ['233', "Réadaptation des affections de l'appareil locomoteur"], field: SMR, careMode: HJ, audience: ALL, ages: [18, 120], capacity: { kind: 'place', min: 5, max: 15 } },
    { activity: ['241', 'Réadaptation des affections des personnes âgées polypathologiques, dépendantes ou à risque de dépendance'], field: SMR, careMode: HC, audience: ELDERLY, ages: [75, 120], capacity: { kind: 'lit', min: 15, max: 40 } },
  ],
  // Établissement de soins longue durée (USLD)
  '362': [
    { activity: ['333', 'Soins de longue durée (SLD)'], field: MCO, careMode: HC, audience: ELDERLY, ages: [60, 120], capacity: { kind: 'lit', min: 30, max: 60 } },
  ],
  // EHPAD
  '500': [
    { activity: ['288', "Soins d'hygiène médicalisés"], field: MS, careMode: ['46', 'Hébergement (accueil jour et nuit)'], audience: ELDERLY, ages: [60, 120], capacity: { kind: 'place', min: 50, max: 110 } },
    { activity: ['293', 'Accompagnements pour les actes de la vie quotidienne (AVQ)'], field: MS, careMode: ['47', 'Accueil de jour'], audience: ELDERLY, ages: [60, 120], capacity: { kind: 'place', min: 6, max: 12 } },
  ],
  // SSIAD
  '354': [
    { activity: ['287', 'Soins techniques infirmiers'], field: MS, careMode: ['49', 'Sur les lieux de vie'], audience: ELDERLY, ages: [60, 120], capacity: { kind: 'place', min: 30, max: 90 }, atHome: true },
  ],
  // IME
  '183': [
    { activity: ['300', 'Accompagnements à la scolarisation'], field: MS, careMode: ['47', 'Accueil de jour'], audience: DISABLED, ages: [6, 20], capacity: { kind: 'place', min: 30, max: 80 }, speciality: ['14', 'Déficience intellectuelle'] },
  ],
  // Centre médico-psychologique
  '156': [
    { activity: ['229', 'Psychiatrie adulte'], field: PSY, careMode: ['32', 'Consultation (CS)'], audience: ALL, ages: [16, 120] },
  ],
};

/** FINESS categories the demo describes offers for. */
export const DEMO_CATEGORIES = Object.keys(TEMPLATES);

export interface SiteOfferOptions {
  /** Id prefix of the offers and places (`demo` → `demo-offre-…`, `demo-lieu-…`). */
  idPrefix?: string;
  /** Offer templates per FINESS category (default: the demo's). */
  templates?: Record<string, OfferTemplate[]>;
  /** Mixed into the per-site random seed (default 0: the demo's values). */
  seed?: number;
}

/** Offers, places and capacities of one site (deterministic for a site and a seed). */
export function buildSiteOffers(site: DemoSite, zone: { code: string; name: string }[], updatedAt: string, opts: SiteOfferOptions = {}): Resource[] {
  const templates = (opts.templates ?? TEMPLATES)[site.category];
  if (!templates) return [];
  const prefix = opts.idPrefix ?? 'demo';
  const rnd = new Random(((Number(site.nofinesset.replace(/\D/g, '').slice(-8)) || 1) ^ (opts.seed ?? 0)) >>> 0 || 1);
  const meta = { tag: [...(site.region ? [{ system: SYSTEM.region, code: site.region }] : []), SYNTHETIC_TAG] };
  const creation = { url: rorExt('ror-meta-creation-date'), valueDateTime: '2026-01-15T09:00:00+01:00' };
  const communeExt = (site.location.extension as { url: string }[] | undefined)?.find((e) => e.url === rorExt('ror-commune-cog'));
  const out: Resource[] = [];
  const phone = (site.location.telecom as { value?: string }[] | undefined)?.[0]?.value;
  templates.forEach((t, n) => {
    const offerId = `${prefix}-offre-${site.nofinesset}-${n + 1}`;
    const placeRefs: string[] = [];
    if (t.capacity) {
      const total = rnd.int(t.capacity.min, t.capacity.max);
      const units = t.units ? rnd.int(t.units[0], t.units[1]) : 1;
      for (let u = 0; u < units; u++) {
        // The installed capacity shared out between the units, the remainder on the first ones.
        const installed = Math.floor(total / units) + (u < total % units ? 1 : 0);
        // Most units have a few free beds or places; some are full, as on a real day.
        const available = rnd.chance(0.3) ? 0 : rnd.int(1, Math.max(1, Math.round(installed / 6)));
        const placeId = `${prefix}-lieu-${site.nofinesset}-${n + 1}${units > 1 ? `-${u + 1}` : ''}`;
        placeRefs.push(`Location/${placeId}`);
        out.push({
          resourceType: 'Location', id: placeId, meta,
          extension: [
            ...(communeExt ? [communeExt] : []),
            capacity(t.capacity.kind, '01', installed, updatedAt),
            capacity(t.capacity.kind, '02', available, updatedAt),
            creation,
          ],
          status: 'active',
          operationalStatus: { system: SYSTEM.placeStatus, code: '3', display: 'Opérationnel' },
          name: `${t.activity[1]} — ${t.careMode[1]}${units > 1 ? ` (unité ${u + 1})` : ''}`,
          type: [cc('https://mos.esante.gouv.fr/NOS/TRE_R343-FonctionLieu/FHIR/TRE-R343-FonctionLieu', '001', 'Hébergement')],
          ...(site.location.address ? { address: site.location.address } : {}),
          ...(site.location.position ? { position: site.location.position } : {}),
          managingOrganization: { reference: `Organization/${site.organizationId}` },
          partOf: { reference: `Location/${site.location.id}` },
        });
      }
    } else {
      placeRefs.push(`Location/${site.location.id}`);
    }
    out.push({
      resourceType: 'HealthcareService', id: offerId, meta,
      extension: [
        { url: rorExt('ror-healthcareservice-sensitive-unit'), valueBoolean: false },
        patientType(t.audience.map(([code, display]) => ({ code, display })), t.ages[0], t.ages[1]),
        ...(t.atHome ? interventionZone(zone) : []),
        // Most offers are described with their contact; the others show up as incomplete in the indicators.
        ...(phone && rnd.chance(0.8) ? [offerContact(phone)] : []),
        creation,
      ],
      identifier: [{ system: 'urn:ror:identifiant-offre', value: `${site.region ?? '00'}/${offerId}` }],
      active: true,
      providedBy: { reference: `Organization/${site.organizationId}` },
      type: [cc(SYSTEM.field, t.field[0], t.field[1])],
      specialty: [cc(SYSTEM.activity, t.activity[0], t.activity[1])],
      location: placeRefs.map((reference) => ({ reference })),
      name: `${t.activity[1]} — ${t.careMode[1]} (${site.name})`,
      characteristic: [
        cc(SYSTEM.careMode, t.careMode[0], t.careMode[1]),
        ...(t.speciality ? [cc(SYSTEM.takingCareSpeciality, t.speciality[0], t.speciality[1])] : []),
      ],
      ...(phone ? { telecom: [rorTelecom('phone', phone, '2', '1')] } : {}),
    });
  });
  return out;
}
