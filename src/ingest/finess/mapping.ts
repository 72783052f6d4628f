import { REGION_TAG_SYSTEM } from '../../fhir/resource-types.ts';
import type { Coding, Resource } from '../../fhir/types.ts';
import type { CommuneIndex, CommuneMatch } from '../geo/commune-index.ts';
import type { FinessEstablishment, LineProblem } from './establishment.ts';
import { verificationTag } from '../verification-status.ts';
import type { FinessNos } from './nos-reference.ts';

/**
 * FINESS establishment → ROR resources (ror-ig.md §1.3, §1.5): the legal entity (EJ) Organization, the
 * site (EG) Organization `partOf` it, and the EG's Location. Pure: same record, same resources, so that
 * re-imports change nothing. Ids are deterministic: `finess-ej-<n>`, `finess-eg-<n>`, `finess-loc-<n>`.
 */

const ROR_SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';
const nos = (name: string) => `https://mos.esante.gouv.fr/NOS/${name}/FHIR/${name.replace('_', '-')}`;

export const SYSTEMS = {
  finess: 'https://finess.esante.gouv.fr',
  idNatSt: 'urn:oid:1.2.250.1.71.4.2.2',
  sirene: 'https://sirene.fr',
  typeIdentifiant: nos('TRE_G07-TypeIdentifiantStructure'),
  categorie: nos('TRE_R66-CategorieEtablissement'),
  agregat: nos('TRE_R65-AgregatCategorieEtablissement'),
  // JDV_J202-ESPIC-ROR draws its codes from OID 1.2.250.1.213.1.6.1.45 (TRE_R73, FINESS SPH participation).
  sph: nos('TRE_R73-ESPIC'),
  commune: nos('TRE_R13-CommuneOM'),
  canal: nos('TRE_R200-CanalCommunication'),
  confidentialite: nos('TRE_R283-NiveauConfidentialite'),
  typeFermeture: nos('TRE_R286-TypeFermeture'),
  statutLieu: nos('TRE_R203-StatutLieu'),
  region: REGION_TAG_SYSTEM,
} as const;

export const EXTENSIONS = {
  period: 'http://hl7.org/fhir/StructureDefinition/organization-period',
  closingType: `${ROR_SD}ror-organization-closing-type`,
  additionalName: `${ROR_SD}ror-organization-additional-name`,
  communeCog: `${ROR_SD}ror-commune-cog`,
  coordinateReliability: `${ROR_SD}ror-coordinate-reliability`,
  telecomChannel: `${ROR_SD}ror-telecom-communication-channel`,
  telecomConfidentiality: `${ROR_SD}ror-telecom-confidentiality-level`,
  // fr-core 1.x address extension (the base of ror-organization in IG 0.7.0): commune INSEE code.
  addressInseeCode: 'http://interopsante.org/fhir/StructureDefinition/FrAddressInseeCode',
  houseNumber: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-houseNumber',
  buildingNumberSuffix: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-buildingNumberSuffix',
  streetNameType: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-streetNameType',
  streetNameBase: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-streetNameBase',
} as const;

export const finessIds = {
  ej: (nofinessej: string) => `finess-ej-${nofinessej}`,
  eg: (nofinesset: string) => `finess-eg-${nofinesset}`,
  location: (nofinesset: string) => `finess-loc-${nofinesset}`,
};

export interface MappingContext {
  communes: CommuneIndex;
  nos: FinessNos;
}

export interface MappedEstablishment {
  ej: Resource;
  eg: Resource;
  location: Resource;
  /** The commune found (null when neither the file nor the postcode and city tell it). */
  commune: CommuneMatch | null;
  /** Things worth a look that do not reject the line (commune not found, category outside J55…). */
  warnings: LineProblem[];
}

const G07 = (code: string): { coding: Coding[] } => ({ coding: [{ system: SYSTEMS.typeIdentifiant, code }] });

function structureIdentifiers(finess: string) {
  return [
    { use: 'official', type: G07('1'), system: SYSTEMS.finess, value: finess },
    // idNatStruct of a FINESS structure: `1` + its FINESS number.
    { use: 'official', type: G07('40'), system: SYSTEMS.idNatSt, value: `1${finess}` },
  ];
}

const CANAL_LABELS: Record<string, string> = { '1': 'Téléphone mobile', '2': 'Téléphone fixe', '6': 'Télécopie' };

function telecom(system: 'phone' | 'fax', value: string) {
  const canal = system === 'fax' ? '6' : /^0[67]/.test(value) ? '1' : '2';
  return {
    extension: [
      { url: EXTENSIONS.telecomChannel, valueCodeableConcept: { coding: [{ system: SYSTEMS.canal, code: canal, display: CANAL_LABELS[canal] }] } },
      { url: EXTENSIONS.telecomConfidentiality, valueCodeableConcept: { coding: [{ system: SYSTEMS.confidentialite, code: '1', display: 'Accès libre' }] } },
    ],
    system,
    value,
    use: 'work',
  };
}

/** Département (COG) of an establishment: its commune's, else its postcode's, else its FINESS number's. */
function departementOf(r: FinessEstablishment, commune: CommuneMatch | null): string | undefined {
  if (commune) return commune.departement;
  if (r.postalCode?.startsWith('97')) return r.postalCode.slice(0, 3);
  if (r.postalCode && !r.postalCode.startsWith('20')) return r.postalCode.slice(0, 2);
  return /^97/.test(r.nofinesset) ? undefined : r.nofinesset.slice(0, 2);
}

/** Source region (TRE_R30) and, on pre-filled structures, the verification status (`à vérifier` until a referent checks). */
function tags(region: string | undefined, prefilled = false): { meta?: { tag: Coding[] } } {
  const tag: Coding[] = [...(region ? [{ system: SYSTEMS.region, code: region }] : []), ...(prefilled ? [verificationTag('a-verifier')] : [])];
  return tag.length ? { meta: { tag } } : {};
}

function address(r: FinessEstablishment, commune: CommuneMatch | null): Record<string, unknown> | undefined {
  const lines: string[] = [];
  const lineExt: (Record<string, unknown> | null)[] = [];
  if (r.compldistrib) {
    lines.push(r.compldistrib);
    lineExt.push(null);
  }
  if (r.voie || r.numvoie) {
    const parts = [r.numvoie, r.compvoie, r.typvoie, r.voie].filter((p): p is string => !!p);
    lines.push(parts.join(' '));
    const ext = [
      r.numvoie && { url: EXTENSIONS.houseNumber, valueString: r.numvoie },
      r.compvoie && { url: EXTENSIONS.buildingNumberSuffix, valueString: r.compvoie },
      r.typvoie && { url: EXTENSIONS.streetNameType, valueString: r.typvoie },
      r.voie && { url: EXTENSIONS.streetNameBase, valueString: r.voie },
    ].filter(Boolean);
    lineExt.push({ extension: ext });
  }
  if (r.lieuditbp) {
    lines.push(r.lieuditbp);
    lineExt.push(null);
  }
  for (const l of r.addressLines ?? []) {
    lines.push(l);
    lineExt.push(null);
  }
  if (!lines.length && !r.postalCode && !r.city) return undefined;
  const a: Record<string, unknown> = {};
  if (commune) {
    a.extension = [{ url: EXTENSIONS.addressInseeCode, valueCoding: { system: SYSTEMS.commune, code: commune.code, display: commune.name } }];
  }
  a.use = 'work';
  a.type = 'both';
  if (lines.length) a.line = lines;
  if (lineExt.some((e) => e !== null)) a._line = lineExt;
  if (r.city) a.city = r.city;
  if (r.postalCode) a.postalCode = r.postalCode;
  a.country = 'FR';
  return a;
}

const round7 = (n: number) => Math.round(n * 1e7) / 1e7;

/**
 * The establishment's position; without one (overseas positions dropped, not geocoded), its commune's
 * centroid flagged as unreliable, so that it still answers distance searches at the commune scale.
 */
function positionOf(r: FinessEstablishment, commune: CommuneMatch | null, communes: CommuneIndex): { position?: Record<string, unknown> } {
  if (r.position) return { position: { longitude: round7(r.position.longitude), latitude: round7(r.position.latitude) } };
  const centroid = commune ? communes.centroid(commune.code) : undefined;
  if (!centroid) return {};
  return {
    position: {
      extension: [{ url: EXTENSIONS.coordinateReliability, valueBoolean: false }],
      longitude: round7(centroid.longitude),
      latitude: round7(centroid.latitude),
    },
  };
}

export function mapEstablishment(r: FinessEstablishment, ctx: MappingContext): MappedEstablishment {
  const warnings: LineProblem[] = [];
  const warn = (fr: string, en: string) => warnings.push({ line: r.line, nofinesset: r.nofinesset, fr, en });

  const commune = ctx.communes.resolve(r.postalCode, r.city, r.communeCog);
  if (!commune) {
    warn(
      `commune introuvable pour « ${[r.communeCog, r.postalCode, r.city].filter(Boolean).join(' ')} »`,
      `commune not found for "${[r.communeCog, r.postalCode, r.city].filter(Boolean).join(' ')}"`,
    );
  } else if (r.communeCog && commune.method !== 'code') {
    warn(`code commune ${r.communeCog} absent du COG, commune déduite du code postal`, `commune code ${r.communeCog} not in the COG, derived from the postcode`);
  }
  const dep = departementOf(r, commune);
  const region = commune?.region ?? (dep ? ctx.communes.regionOf(dep) : undefined);
  const ejDep = /^97/.test(r.nofinessej) ? undefined : r.nofinessej.slice(0, 2);
  const ejRegion = ejDep ? ctx.communes.regionOf(ejDep) : undefined;

  const ej: Resource = {
    resourceType: 'Organization',
    id: finessIds.ej(r.nofinessej),
    ...tags(ejRegion, true),
    identifier: structureIdentifiers(r.nofinessej),
    active: true,
  };

  const types: { coding: Coding[] }[] = [];
  if (r.categetab) {
    const label = ctx.nos.categoryLabel(r.categetab);
    if (!label) warn(`catégorie ${r.categetab} absente de JDV_J55-CategorieEG-ROR`, `category ${r.categetab} not in JDV_J55-CategorieEG-ROR`);
    types.push({ coding: [{ system: SYSTEMS.categorie, code: r.categetab, display: label ?? r.libcategetab }] });
    const agg = ctx.nos.aggregateOf(r.categetab);
    if (agg && r.categagretab && agg.agregat !== r.categagretab) {
      warn(`agrégat ${r.categagretab} du fichier différent de celui d'ASS_X10 (${agg.agregat}) : ASS_X10 retenu`, `aggregate ${r.categagretab} differs from ASS_X10 (${agg.agregat}): ASS_X10 kept`);
    }
    const agregat = agg?.agregat ?? r.categagretab;
    if (agregat) {
      types.push({ coding: [{ system: SYSTEMS.agregat, code: agregat, ...(agregat === r.categagretab && r.libcategagretab ? { display: r.libcategagretab } : {}) }] });
    }
  }
  if (r.codesph) {
    types.push({ coding: [{ system: SYSTEMS.sph, code: r.codesph, display: ctx.nos.sphLabel(r.codesph) ?? r.libsph }] });
  }

  const extension: Record<string, unknown>[] = [];
  if (r.dateouv) extension.push({ url: EXTENSIONS.period, valuePeriod: { start: r.dateouv } });
  if (r.complrs) extension.push({ url: EXTENSIONS.additionalName, valueString: r.complrs });
  const identifier: Record<string, unknown>[] = structureIdentifiers(r.nofinesset);
  if (r.siret) identifier.push({ use: 'official', type: G07('3'), system: SYSTEMS.sirene, value: r.siret });
  const telecoms = [
    ...(r.telephone ? [telecom('phone', r.telephone)] : []),
    ...(r.telecopie ? [telecom('fax', r.telecopie)] : []),
  ];
  const addr = address(r, commune);
  const name = r.rslongue ?? r.rs;

  const eg: Resource = {
    resourceType: 'Organization',
    id: finessIds.eg(r.nofinesset),
    ...tags(region, true),
    ...(extension.length ? { extension } : {}),
    identifier,
    active: true,
    ...(types.length ? { type: types } : {}),
    ...(name ? { name } : {}),
    ...(telecoms.length ? { telecom: telecoms } : {}),
    ...(addr ? { address: [addr] } : {}),
    partOf: { reference: `Organization/${finessIds.ej(r.nofinessej)}` },
  };

  const location: Resource = {
    resourceType: 'Location',
    id: finessIds.location(r.nofinesset),
    ...tags(region),
    ...(commune
      ? { extension: [{ url: EXTENSIONS.communeCog, valueCodeableConcept: { coding: [{ system: SYSTEMS.commune, code: commune.code, display: commune.name }] } }] }
      : {}),
    status: 'active',
    operationalStatus: { system: SYSTEMS.statutLieu, code: '3', display: 'Opérationnel' },
    ...(name ? { name } : {}),
    ...(addr ? { address: addr } : {}),
    ...positionOf(r, commune, ctx.communes),
    managingOrganization: { reference: `Organization/${finessIds.eg(r.nofinesset)}` },
  };

  return { ej, eg, location, commune, warnings };
}

/** The fields an import sets on a resource whose establishment left FINESS (closed, never deleted). */
export function closedVersion(resource: Resource, closingDate: string): Resource {
  const closed: Resource = structuredClone(resource);
  if (resource.resourceType === 'Location') {
    closed.status = 'inactive';
    closed.operationalStatus = { system: SYSTEMS.statutLieu, code: '1', display: 'Fermé définitivement' };
    return closed;
  }
  closed.active = false;
  const ext = ((closed.extension as { url: string; valuePeriod?: { start?: string; end?: string } }[] | undefined) ?? []).filter(
    (e) => e.url !== EXTENSIONS.closingType,
  );
  const period = ext.find((e) => e.url === EXTENSIONS.period);
  if (period) period.valuePeriod = { ...period.valuePeriod, end: closingDate };
  else ext.push({ url: EXTENSIONS.period, valuePeriod: { end: closingDate } });
  ext.push({ url: EXTENSIONS.closingType, valueCodeableConcept: { coding: [{ system: SYSTEMS.typeFermeture, code: 'DEF', display: 'Définitive' }] } } as never);
  closed.extension = ext;
  return closed;
}
