import { createHash } from 'node:crypto';
import type { Coding, Resource } from '../../fhir/types.ts';
import type { LineProblem } from '../finess/establishment.ts';
import { finessIds, SYSTEMS as FINESS_SYSTEMS } from '../finess/mapping.ts';
import type { CommuneIndex, CommuneMatch } from '../geo/commune-index.ts';
import { verificationTag } from '../verification-status.ts';
import type { RppsActivity } from './rpps-reader.ts';

/**
 * RPPS activity line → ROR resources (ror-ig.md §1.6, §1.7): the Practitioner (idNat_PS), the practice
 * site (Organization) and place (Location) when the line has a structure, the PractitionerRole, and for a
 * private practice (mode L) a draft city offer (HealthcareService, champ ambulatoire) that the professional
 * completes — the ROR "adossement". Ids are deterministic so that re-imports change nothing.
 */

const ROR_SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';
const nos = (name: string) => `https://mos.esante.gouv.fr/NOS/${name}/FHIR/${name.replace('_', '-')}`;

export const RPPS_SYSTEMS = {
  idNatPS: 'urn:oid:1.2.250.1.71.4.2.1',
  profession: nos('TRE_G15-ProfessionSante'),
  typeSavoirFaire: nos('TRE_R04-TypeSavoirFaire'),
  specialiteOrdinale: nos('TRE_R38-SpecialiteOrdinale'),
  modeExercice: nos('TRE_R23-ModeExercice'),
  secteur: nos('TRE_R02-SecteurActivite'),
  champActivite: nos('TRE_R227-ChampActivite'),
} as const;

export const RPPS_EXTENSIONS = {
  exerciseMode: `${ROR_SD}ror-practitionerrole-unit-exercise-mode`,
  roleName: `${ROR_SD}RORPractitionerRoleName`,
  sensitiveUnit: `${ROR_SD}ror-healthcareservice-sensitive-unit`,
} as const;

/** An id part from a structure identifier: kept when it fits the FHIR id alphabet, else a short hash. */
function idPart(s: string): string {
  return /^[A-Za-z0-9.-]{1,40}$/.test(s) ? s : createHash('sha1').update(s).digest('hex').slice(0, 16);
}

export const rppsIds = {
  practitioner: (idNatPS: string) => `rpps-${idNatPS}`,
  site: (structureId: string) => `rpps-site-${idPart(structureId)}`,
  location: (structureId: string) => `rpps-loc-${idPart(structureId)}`,
  role: (idNatPS: string, structureId: string | undefined) => `rpps-role-${idNatPS}-${structureId ? idPart(structureId) : 'sans-site'}`,
  offer: (idNatPS: string, structureId: string) => `rpps-offre-${idNatPS}-${idPart(structureId)}`,
};

export interface RppsMapped {
  practitioner: Resource;
  site?: Resource;
  location?: Resource;
  role?: Resource;
  offer?: Resource;
  warnings: LineProblem[];
}

const cc = (system: string, code: string, display?: string): { coding: Coding[] } => ({ coding: [{ system, code, ...(display ? { display } : {}) }] });

function address(r: RppsActivity, commune: CommuneMatch | null): Record<string, unknown> | undefined {
  const street = [r.numeroVoie, r.indiceRepetition, r.typeVoieCode, r.libelleVoie].filter(Boolean).join(' ');
  const lines = [r.complementDestinataire, r.complementGeo, street || undefined, r.mentionDistribution].filter((l): l is string => !!l);
  const city = r.commune ?? r.bureauCedex?.replace(/^\d{5}\s*/, '');
  if (!lines.length && !r.codePostal && !city) return undefined;
  return {
    ...(commune ? { extension: [{ url: 'http://interopsante.org/fhir/StructureDefinition/FrAddressInseeCode', valueCoding: { system: FINESS_SYSTEMS.commune, code: commune.code, display: commune.name } }] } : {}),
    use: 'work',
    ...(lines.length ? { line: lines } : {}),
    ...(city ? { city } : {}),
    ...(r.codePostal ? { postalCode: r.codePostal } : {}),
    country: r.codePays && r.codePays !== '99000' ? r.codePays : 'FR',
  };
}

export function mapActivity(r: RppsActivity, communes: CommuneIndex, knownProfessions?: Set<string>): RppsMapped {
  const warnings: LineProblem[] = [];
  const warn = (fr: string, en: string) => warnings.push({ line: r.line, fr, en });
  const idNatPS = r.idNatPS!;
  if (knownProfessions && !knownProfessions.has(r.professionCode!)) warn(`profession ${r.professionCode} hors de JDV_J229-ProfessionSante-ROR`, `profession ${r.professionCode} not in JDV_J229`);

  const practitioner: Resource = {
    resourceType: 'Practitioner',
    id: rppsIds.practitioner(idNatPS),
    identifier: [{ system: RPPS_SYSTEMS.idNatPS, value: idNatPS }],
    active: true,
    name: [{ use: 'usual', family: r.nom, ...(r.prenom ? { given: [r.prenom] } : {}), ...(r.civilite ? { prefix: [r.civilite] } : {}) }],
  };
  if (!r.structureId) return { practitioner, warnings };

  const hasAddress = !!(r.codePostal || r.commune || r.libelleVoie);
  const commune = hasAddress ? communes.resolve(r.codePostal, r.commune ?? r.bureauCedex?.replace(/^\d{5}\s*/, ''), r.codeCommune) : null;
  if (hasAddress && !commune) warn(`commune introuvable pour « ${[r.codeCommune, r.codePostal, r.commune].filter(Boolean).join(' ')} »`, 'commune not found');
  const region = commune?.region;
  const meta = region ? { meta: { tag: [{ system: FINESS_SYSTEMS.region, code: region }] } } : {};
  const addr = address(r, commune);
  const centroid = commune ? communes.centroid(commune.code) : undefined;
  const siteName = r.enseigne ?? r.raisonSociale;
  const phone = r.telephone
    ? [{
        extension: [
          { url: `${ROR_SD}ror-telecom-communication-channel`, valueCodeableConcept: cc(FINESS_SYSTEMS.canal, /^0[67]/.test(r.telephone) ? '1' : '2') },
          { url: `${ROR_SD}ror-telecom-confidentiality-level`, valueCodeableConcept: cc(FINESS_SYSTEMS.confidentialite, '1', 'Accès libre') },
        ],
        system: 'phone', value: r.telephone, use: 'work',
      }]
    : undefined;

  // A FINESS establishment is the FINESS import's EG and its Location: referenced, not duplicated.
  const finessSite = r.finessSite && /^[0-9][0-9A-Z][0-9]{7}$/.test(r.finessSite) ? r.finessSite : undefined;
  const site: Resource = {
    resourceType: 'Organization',
    id: rppsIds.site(r.structureId),
    meta: { tag: [...(region ? [{ system: FINESS_SYSTEMS.region, code: region }] : []), verificationTag('a-verifier')] },
    identifier: [
      ...(r.finessSite ? [{ use: 'official', type: cc(FINESS_SYSTEMS.typeIdentifiant, '1'), system: FINESS_SYSTEMS.finess, value: r.finessSite }] : []),
      ...(r.siret ? [{ use: 'official', type: cc(FINESS_SYSTEMS.typeIdentifiant, '3'), system: FINESS_SYSTEMS.sirene, value: r.siret }] : []),
    ],
    active: true,
    ...(r.secteurCode ? { type: [cc(RPPS_SYSTEMS.secteur, r.secteurCode, r.secteur)] } : {}),
    ...(siteName ? { name: siteName } : {}),
    ...(phone ? { telecom: phone } : {}),
    ...(addr ? { address: [addr] } : {}),
  };
  if (!(site.identifier as unknown[]).length) delete site.identifier;
  const location: Resource = {
    resourceType: 'Location',
    id: rppsIds.location(r.structureId),
    ...meta,
    ...(commune ? { extension: [{ url: `${ROR_SD}ror-commune-cog`, valueCodeableConcept: cc(FINESS_SYSTEMS.commune, commune.code, commune.name) }] } : {}),
    status: 'active',
    ...(siteName ? { name: siteName } : {}),
    ...(addr ? { address: addr } : {}),
    // The extraction has no coordinates: the commune centroid, flagged as unreliable.
    ...(centroid ? { position: { extension: [{ url: `${ROR_SD}ror-coordinate-reliability`, valueBoolean: false }], longitude: centroid.longitude, latitude: centroid.latitude } } : {}),
    managingOrganization: { reference: `Organization/${rppsIds.site(r.structureId)}` },
  };
  if (finessSite) {
    site.id = finessIds.eg(finessSite);
    location.id = finessIds.location(finessSite);
  }
  const liberal = r.modeCode === 'L';
  const offer: Resource | undefined = liberal
    ? {
        resourceType: 'HealthcareService',
        id: rppsIds.offer(idNatPS, r.structureId),
        meta: { tag: [...(region ? [{ system: FINESS_SYSTEMS.region, code: region }] : []), verificationTag('a-verifier')] },
        extension: [{ url: RPPS_EXTENSIONS.sensitiveUnit, valueBoolean: false }],
        active: true,
        providedBy: { reference: `Organization/${site.id}` },
        type: [cc(RPPS_SYSTEMS.champActivite, '05', 'Ambulatoire')],
        name: `${r.profession ?? 'Professionnel'} — ${[r.prenom, r.nom].filter(Boolean).join(' ')}`,
        location: [{ reference: `Location/${location.id}` }],
        comment: "Offre de ville pré-remplie depuis l'Annuaire Santé (RPPS) : à compléter par le professionnel.",
      }
    : undefined;
  const specialty = [
    ...(r.savoirFaireTypeCode ? [cc(RPPS_SYSTEMS.typeSavoirFaire, r.savoirFaireTypeCode, r.savoirFaireType)] : []),
    ...(r.savoirFaireTypeCode === 'S' && r.savoirFaireCode ? [cc(RPPS_SYSTEMS.specialiteOrdinale, r.savoirFaireCode, r.savoirFaire)] : []),
  ];
  const role: Resource = {
    resourceType: 'PractitionerRole',
    id: rppsIds.role(idNatPS, r.structureId),
    ...meta,
    extension: [
      ...(r.modeCode ? [{ url: RPPS_EXTENSIONS.exerciseMode, valueCodeableConcept: cc(RPPS_SYSTEMS.modeExercice, r.modeCode, r.mode) }] : []),
      {
        url: RPPS_EXTENSIONS.roleName,
        extension: [
          { url: 'exerciseLastName', valueString: r.nom },
          ...(r.prenom ? [{ url: 'exerciseFirstName', valueString: r.prenom }] : []),
        ],
      },
    ],
    active: true,
    practitioner: { reference: `Practitioner/${practitioner.id}` },
    organization: { reference: `Organization/${site.id}` },
    code: [cc(RPPS_SYSTEMS.profession, r.professionCode!, r.profession)],
    ...(specialty.length ? { specialty } : {}),
    location: [{ reference: `Location/${location.id}` }],
    ...(offer ? { healthcareService: [{ reference: `HealthcareService/${offer.id}` }] } : {}),
    ...(phone ? { telecom: phone } : {}),
  };
  return { practitioner, ...(finessSite ? {} : { site, location }), role, ...(offer ? { offer } : {}), warnings };
}
