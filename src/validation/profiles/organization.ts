import type { CodingSlice, ExtensionRule, OrgVariant, Profile } from '../model.ts';
import { de } from '../messages.ts';
import { creationDate, meta, metaComment, organizationContact, questionnaireTemplate, t, telecom, territorialDivision } from './common.ts';
import { jdv, rorExt, tre } from './urls.ts';

/**
 * ror-organization, digest §1.3: one profile for the legal entity (EJ), the site (EG) and the internal
 * units (OI: pôle, service, UF). Rules tagged with `variants` belong to those variants only; the
 * variant of a resource is read from its type codes, identifiers and partOf (variantOf below).
 */

const G07 = tre('G07-TypeIdentifiantStructure');
/** TRE_R345 is spelt with an underscore in the FHIR system by the IG; both spellings are accepted. */
const R345 = [tre('R345-TypeIdentifiantAutre'), 'https://mos.esante.gouv.fr/NOS/TRE_R345-TypeIdentifiantAutre/FHIR/TRE_R345-TypeIdentifiantAutre'];

export const ORG_SYSTEMS = {
  idNatSt: 'urn:oid:1.2.250.1.71.4.2.2',
  finess: 'https://finess.esante.gouv.fr',
  sirene: 'https://sirene.fr',
  rppsRang: 'https://rppsrang.esante.gouv.fr',
  adeliRang: 'https://adelirang.esante.gouv.fr',
  identifierOI: 'https://oi.esante.gouv.fr',
} as const;

const TYPE_SYSTEMS = {
  statutJuridique: tre('R72-FinessStatutJuridique'),
  agregatStatutJuridique: tre('R69-FinessAgregatStatutJuridiqueNiv2'),
  categorieEtablissement: tre('R66-CategorieEtablissement'),
  secteurActivite: tre('R02-SecteurActivite'),
  typeOrganisationInterne: tre('R207-TypeOrganisationInterne'),
  // JDV_J202 draws on OID 1.2.250.1.213.1.6.1.45, the FINESS SPH participation (TRE_R73).
  espic: tre('R73-ESPIC'),
} as const;

function identifierSlice(name: string, fr: string, en: string, codes: { system: string; code: string }[], system: string, variants?: OrgVariant[]): CodingSlice {
  return {
    name,
    label: t(fr, en),
    max: 1,
    codes,
    variants,
    elements: [
      { name: 'system', label: t(`le système ${de(fr)}`, `${en} system`), min: 1, fixed: system },
      { name: 'value', label: t(`la valeur ${de(fr)}`, `${en} value`), min: 1 },
    ],
  };
}

const price: ExtensionRule = {
  url: rorExt('ror-organization-price'),
  label: t('le tarif', 'price'),
  variants: ['EG'],
  extensions: [
    { url: 'priceType', label: t('le type de tarif', 'price type'), min: 1, max: 1, value: { type: 'CodeableConcept', binding: jdv('J36-TypeTarif-ROR') } },
    { url: 'priceUnit', label: t("l'unité de prix", 'price unit'), min: 1, max: 1, value: { type: 'CodeableConcept', binding: jdv('J205-UnitePrix-ROR') } },
    { url: 'amount', label: t('le montant', 'amount'), min: 1, max: 1, value: { type: 'Money' } },
    { url: 'startDate', label: t('la date de début de validité', 'validity start date'), max: 1, value: { type: 'dateTime' } },
    { url: 'under60', label: t("l'indicateur moins de 60 ans", 'under 60'), max: 1, value: { type: 'boolean' } },
    { url: 'deliveryIncluded', label: t('la prestation incluse', 'included service'), value: { type: 'CodeableConcept', binding: jdv('J206-PrestationNonObligatoireIncluse-ROR') } },
    { url: 'residentialType', label: t("le type d'habitation", 'residential type'), max: 1, value: { type: 'CodeableConcept', binding: jdv('J32-TypeHabitation-ROR') } },
    { url: 'specialPrice', label: t('la condition tarifaire', 'special price'), max: 1, value: { type: 'CodeableConcept', binding: jdv('J39-ConditionTarifaire-ROR') } },
    { url: 'welcomeType', label: t("la temporalité d'accueil", 'welcome type'), max: 1, value: { type: 'CodeableConcept', binding: jdv('J30-TemporaliteAccueil-ROR') } },
    { url: 'dependencyLevel', label: t('le groupe tarifaire de dépendance', 'dependency level'), max: 1, value: { type: 'CodeableConcept', binding: jdv('J27-GroupeTarifaireDependance-ROR') } },
    { url: 'managementType', label: t('le mode de gestion', 'management type'), max: 1, value: { type: 'CodeableConcept', binding: jdv('J26-ModeGestion-ROR') } },
  ],
};

function hasSystem(codings: unknown, systems: string[]): boolean {
  if (!Array.isArray(codings)) return false;
  return codings.some((cc) => Array.isArray(cc?.coding) && cc.coding.some((c: { system?: string }) => c?.system && systems.includes(c.system)));
}

/** EJ, EG or OI: OI by its type or OI identifier; EG by its category, SIRET or a parent; EJ otherwise. */
export function organizationVariant(r: Record<string, unknown>): OrgVariant {
  const ids = Array.isArray(r.identifier) ? (r.identifier as { system?: unknown; type?: { coding?: unknown } }[]) : [];
  const idType = (code: string) =>
    ids.some((i) => {
      const codings = i?.type?.coding;
      return Array.isArray(codings) && codings.some((c: { system?: unknown; code?: unknown }) => c?.system === G07 && c.code === code);
    });
  if (hasSystem(r.type, [TYPE_SYSTEMS.typeOrganisationInterne]) || ids.some((i) => i?.system === ORG_SYSTEMS.identifierOI)) return 'OI';
  if (hasSystem(r.type, [TYPE_SYSTEMS.categorieEtablissement, TYPE_SYSTEMS.secteurActivite]) || idType('3')) return 'EG';
  if (hasSystem(r.type, [TYPE_SYSTEMS.statutJuridique, TYPE_SYSTEMS.agregatStatutJuridique]) || idType('2')) return 'EJ';
  return r.partOf ? 'EG' : 'EJ';
}

export const organization: Profile = {
  url: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-organization',
  resourceType: 'Organization',
  name: 'ror-organization',
  label: t('structure', 'organization'),
  variantOf: organizationVariant,
  elements: [
    meta,
    {
      name: 'identifier',
      label: t("les identifiants de la structure", 'organization identifiers'),
      slicing: {
        path: 'type',
        others: 'allow',
        slices: [
          identifierSlice('idNatSt', "l'identifiant national de structure", 'national structure identifier', [{ system: G07, code: '40' }], ORG_SYSTEMS.idNatSt, ['EJ', 'EG']),
          identifierSlice('finess', 'le numéro FINESS', 'FINESS number', [{ system: G07, code: '1' }], ORG_SYSTEMS.finess, ['EJ', 'EG']),
          identifierSlice('sirene', 'le numéro SIREN', 'SIREN number', [{ system: G07, code: '2' }], ORG_SYSTEMS.sirene, ['EJ']),
          identifierSlice('numSIRET', 'le numéro SIRET', 'SIRET number', [{ system: G07, code: '3' }], ORG_SYSTEMS.sirene, ['EG']),
          identifierSlice('rppsRang', 'le numéro RPPS rang', 'RPPS rank number', [{ system: G07, code: '4' }], ORG_SYSTEMS.rppsRang),
          identifierSlice('adeliRang', 'le numéro ADELI rang', 'ADELI rank number', [{ system: G07, code: '0' }], ORG_SYSTEMS.adeliRang),
          identifierSlice('identifierOI', "l'identifiant de l'organisation interne", 'internal organization identifier', R345.map((system) => ({ system, code: '42' })), ORG_SYSTEMS.identifierOI, ['OI']),
        ],
      },
    },
    {
      name: 'type',
      label: t('les types de la structure', 'organization types'),
      slicing: {
        // FINESS-derived data also carries APE codes and category aggregates: other codings are allowed.
        others: 'allow',
        slices: [
          { name: 'statutJuridiqueINSEE', label: t('le statut juridique', 'legal status'), max: 1, systems: [TYPE_SYSTEMS.statutJuridique], binding: jdv('J199-StatutJuridique-ROR'), variants: ['EJ'] },
          { name: 'sousEnsembleAgregatStatutJuridique', label: t("le sous-ensemble d'agrégat de statut juridique", 'legal status sub-aggregate'), max: 1, systems: [TYPE_SYSTEMS.agregatStatutJuridique], binding: jdv('J200-SousEnsembleAgregatStatutJuridique-ROR'), variants: ['EJ'] },
          { name: 'categorieEtablissement', label: t("la catégorie d'établissement", 'establishment category'), max: 1, systems: [TYPE_SYSTEMS.categorieEtablissement, TYPE_SYSTEMS.secteurActivite], binding: jdv('J55-CategorieEG-ROR'), variants: ['EG'] },
          { name: 'sphParticipation', label: t('la participation au service public hospitalier', 'public hospital service participation'), max: 1, systems: [TYPE_SYSTEMS.espic], binding: jdv('J202-ESPIC-ROR'), variants: ['EG'] },
          { name: 'OIType', label: t("le type d'organisation interne", 'internal organization type'), max: 1, systems: [TYPE_SYSTEMS.typeOrganisationInterne], binding: jdv('J203-TypeOrganisationInterne-ROR'), variants: ['OI'] },
        ],
      },
    },
    { name: 'name', label: t('le nom de la structure', 'organization name'), max: 1 },
    { name: 'alias', label: t("le nom opérationnel de l'établissement", 'operational name'), max: 1, variants: ['EG'] },
    telecom(t('la messagerie sécurisée de la structure', 'organization secure mailbox'), undefined, { mss: true }),
    { name: 'address', label: t("l'adresse de la structure", 'organization address'), max: 1 },
    { name: 'partOf', label: t('la structure de rattachement', 'parent organization'), max: 1, variants: ['EG', 'OI'] },
    organizationContact,
  ],
  extensions: [
    price,
    { ...territorialDivision('4', t('le territoire de santé', 'health territory')), variants: ['EG'] },
    { url: rorExt('ror-organization-financial-help-type'), label: t("l'aide financière", 'financial help type'), variants: ['EG'], value: { type: 'CodeableConcept', binding: jdv('J31-AideFinanciere-ROR') } },
    { url: rorExt('ror-organization-accomodation-family'), label: t("l'hébergement des familles", 'family accommodation'), max: 1, variants: ['EG'], value: { type: 'boolean' } },
    { url: rorExt('ror-organization-nb-permanent-social-help-place'), label: t("le nombre de places d'aide sociale permanentes", 'permanent social help places'), max: 1, value: { type: 'integer', invariants: ['non-negative'] } },
    { url: rorExt('ror-organization-nb-temporary-social-help-place'), label: t("le nombre de places d'aide sociale temporaires", 'temporary social help places'), max: 1, value: { type: 'integer', invariants: ['non-negative'] } },
    { url: rorExt('ror-organization-accessibility-location'), label: t("l'accessibilité du lieu", 'location accessibility'), max: 1, variants: ['EG'], value: { type: 'CodeableConcept', binding: jdv('J50-AccessibiliteLieu-ROR') } },
    { url: rorExt('ror-organization-level-recourse-orsan'), label: t('le niveau de recours ORSAN', 'ORSAN recourse level'), max: 1, variants: ['EG'], value: { type: 'CodeableConcept', binding: jdv('J204-NiveauRecoursORSAN-ROR') } },
    { url: rorExt('ror-organization-drop-zone'), label: t("la zone de poser d'hélicoptère", 'helicopter drop zone'), max: 1, variants: ['EG'], value: { type: 'boolean' } },
    { url: rorExt('ror-organization-reopening-date'), label: t('la date prévisionnelle de réouverture', 'planned reopening date'), max: 1, variants: ['OI'] },
    { url: rorExt('ror-organization-creation-date'), label: t("la date de création de l'entité juridique", 'legal entity creation date'), max: 1, variants: ['EJ'] },
    { url: rorExt('ror-organization-closing-type'), label: t('le type de fermeture', 'closing type'), max: 1, value: { type: 'CodeableConcept', binding: jdv('J201-TypeFermeture-ROR') } },
    { url: 'http://hl7.org/fhir/StructureDefinition/organization-period', label: t("les dates d'ouverture et de fermeture", 'opening and closing dates'), max: 1, value: { type: 'Period', invariants: ['period-start-le-end'] } },
    { url: rorExt('ror-organization-comment'), label: t("le commentaire de l'établissement", 'site comment'), max: 1, variants: ['EG'] },
    metaComment,
    creationDate,
    questionnaireTemplate,
  ],
};
