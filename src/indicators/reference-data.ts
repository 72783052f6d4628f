/**
 * Reference data of the ROR population and quality indicators, versioned. Every list is copied from
 * shared/spec/ror-indicators.md §2.1 (the view V_REF_J55_CategorieEG of ansforge/ROR-indicateurs-BI-SQL
 * @0e6a032, the authoritative version with the 2024 codes) and §3: these lists *are* the definitions.
 * A snapshot records the version it was computed with, so that a later change of lists stays traceable.
 */

export const REFERENCE_VERSION = 'ror-bi-2024-02';

/** Domain of an establishment category ("SecteurEG"). */
export type Domain = 'Sanitaire' | 'Médico-social' | 'Coordination' | 'Offre de ville' | 'Non défini';
/** Perimeter of follow-up of a category. */
export type Perimeter = 'historique' | '2023' | '2024' | 'Non suivi';
/** Field (champ) of a row of counting: MCO/SMR/PSY for sanitaire establishments, a category class otherwise. */
export type Field = 'MCO' | 'SMR' | 'PSY' | 'PA' | 'PH' | 'Domicile' | 'Autres MS' | 'Coordination' | 'Ville' | 'Non défini';

const list = (s: string): readonly string[] => Object.freeze(s.split(',').map((c) => c.trim()));

export const DOMAIN_CATEGORIES: Readonly<Record<Exclude<Domain, 'Non défini'>, readonly string[]>> = {
  Sanitaire: list('101,106,109,114,122,127,128,129,131,141,146,156,161,166,292,355,362,365,366,412,415,425,430,444,696,697,698,638'),
  'Médico-social': list(
    '165,178,180,182,183,186,188,189,190,192,194,195,196,197,198,202,207,209,213,221,228,231,238,246,249,252,253,255,354,370,377,379,381,382,390,395,396,402,437,445,446,448,449,460,500,501,502,608',
  ),
  Coordination: list('604,606'),
  'Offre de ville': list('124,603,617,618,SA05,SA07,SA08,SA09'),
};

export const PERIMETER_CATEGORIES: Readonly<Record<Exclude<Perimeter, 'Non suivi'>, readonly string[]>> = {
  historique: list(
    '101,106,109,114,122,127,128,129,131,141,146,156,161,182,183,186,188,189,190,192,194,195,196,198,202,207,209,221,238,246,249,252,253,255,292,354,355,362,365,366,370,377,379,381,382,390,395,396,402,412,415,425,430,437,444,445,446,448,449,460,500,501,502,696,697,698',
  ),
  '2023': list('178,197,228,603,604,606,617,618'),
  '2024': list('165,166,180,213,231,608,638'),
};

/** Category classes of the non-sanitaire establishments (the "champ" of their single row). */
export const CLASS_CATEGORIES: Readonly<Record<'PA' | 'PH' | 'Domicile' | 'Autres MS' | 'Coordination' | 'Ville', readonly string[]>> = {
  PA: list('202,207,381,500,501,502'),
  PH: list('182,183,186,188,189,190,192,194,195,196,198,221,238,246,249,252,253,255,370,377,379,382,390,395,396,402,437,445,446,448,449'),
  Domicile: list('209,354,460'),
  'Autres MS': list('178,197,228,165,180,213,231,608'),
  Coordination: list('604,606'),
  // 617 and 618 are in the "Offre de ville" domain and the 2023 perimeter but the published class table
  // leaves them "Non défini": we class them Ville (decision Q5 of README.md).
  Ville: list('603,617,618'),
};

/** Psychiatric categories: always a PSY row, even without authorisation (§2.1). */
export const PSYCHIATRIC_CATEGORIES = list('156,161,292,366,412,415,425,430,444');
/** Category with an MCO row without authorisation (§2.3). */
export const MCO_WITHOUT_AUTHORISATION = list('638');
/** "Offre de ville" sectors (TRE_R02) excluded from several quality rules (RE1.2, ST3, CO4, CO3). */
export const CITY_SECTORS = list('SA05,SA07,SA08,SA09');
/** Categories whose offers need a catégorie d'organisation (criterion 2). */
export const ORGANISATION_CATEGORY_REQUIRED = list('209,354,460');

/** Authorisations still valid on this date are counted (the 2021 authorisation reform extended them). */
export const AUTHORISATION_VALID_FROM = '2021-05-01';
/** FINESS département excluded from the target (Saint-Pierre-et-Miquelon). */
export const EXCLUDED_DEPARTEMENT = '975';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i).padStart(2, '0'));

/** FINESS authorisation codes (activité / modalité / forme, TRE_R274/275/276) the target rules use (§2.1). */
export const AUTHORISATION = {
  hadForm: '05',
  psyActivity: '04',
  mcoActivities: Object.freeze(['01', '02', '03', '07', ...range(9, 19), ...range(80, 88)]),
  smrActivities: Object.freeze(range(50, 59)),
  /** [activité, modalités] of the specific authorisations. */
  reaAdult: ['15', ['09']],
  reaPaediatric: ['15', ['10', '98']],
  obstetrics: ['03', ['01']],
  neonatology: ['03', ['02']],
  neonatalIntensiveCare: ['03', ['03']],
  neonatalRea: ['03', ['04']],
  emergency: ['14', ['23']],
  paediatricEmergency: ['14', ['24']],
} as const;

/** Codes the quality rules depend on (§2.2, §3): TRE_R213 care modes, TRE_R211 activities, TRE_R244 organisation categories. */
export const RULE_CODES = {
  careMode: { emergency: '33', hospitalisation: list('14,28,29,30,34'), accommodation: '46', esms: list('46,47,48') },
  activity: {
    emergency: '157',
    paediatricEmergency: '249',
    obstetrics: '100',
    obstetricEmergency: '260',
    neonatology: '094',
    neonatalIntensiveCare: '369',
    neonatalRea: '128',
    reaAdult: list('121,122,123,124,125,126,127,129'),
    reaPaediatric: '130',
    prisonMedicine: '089',
  },
  /** Catégorie d'organisation (TRE_R244): 38 plateforme d'accompagnement et de répit (out of CP5/CP6), 25 PASA (CP6 N/A). */
  organisationCategory: { outOfEsmsRules: '38', noCapacityRule: '25' },
  /** CP5 applies to these PH categories for modes 46/47/48, and to these PA categories for mode 46 only. */
  cp5Ph: list('183,186,194,195,255,390,395,437'),
  cp5Pa: list('202,207,500,501,502'),
  /** TypeMaternite (TRE_R253): 01 type 1, 02 type 2A, 03 type 2B, 04 type 3. */
  maternityType: { '01': '1', '02': '2A', '03': '2B', '04': '3' } as Record<string, string>,
  /** CO3 excludes these EG categories. */
  co3ExcludedCategories: list('500,124,SA05,SA07,SA08,SA09'),
  /** CO3 candidate name keywords (compared without accents or case). */
  co3Keywords: list('uhsi,uhsir,securise,detenu,usmp,penitentia,uhsa,specialement amenage,smpr,service medico-psychologique,ufdh,umdh,nrbc,contamine,decontamination'),
} as const;

/** TRE_R227 champ d'activité codes of the sanitaire fields (the NOS short label of 02 is still "SSR"). */
export const FIELD_CODES: Readonly<Record<'MCO' | 'SMR' | 'PSY', string>> = { MCO: '01', SMR: '02', PSY: '03' };

export function domainOf(category: string | null | undefined): Domain {
  if (!category) return 'Non défini';
  for (const [d, cats] of Object.entries(DOMAIN_CATEGORIES)) if (cats.includes(category)) return d as Domain;
  return 'Non défini';
}

export function perimeterOf(category: string | null | undefined): Perimeter {
  if (!category) return 'Non suivi';
  for (const [p, cats] of Object.entries(PERIMETER_CATEGORIES)) if (cats.includes(category)) return p as Perimeter;
  return 'Non suivi';
}

/** The class (champ of the single row) of a non-sanitaire category. */
export function classOf(category: string | null | undefined): Field {
  if (!category) return 'Non défini';
  for (const [c, cats] of Object.entries(CLASS_CATEGORIES)) if (cats.includes(category)) return c as Field;
  return 'Non défini';
}

/** Whether the category gets population rows: sanitaire or médico-social, or one of the coordination/ville codes followed. */
export function isFollowedCategory(category: string): boolean {
  return DOMAIN_CATEGORIES.Sanitaire.includes(category) || DOMAIN_CATEGORIES['Médico-social'].includes(category) || ['603', '604', '606', '617', '618'].includes(category);
}

/** Category table as rows (passed to SQL as arrays). */
export function categoryTable(): { category: string; domain: Domain; perimeter: Perimeter; field: Field }[] {
  const all = new Set([...Object.values(DOMAIN_CATEGORIES).flat(), ...Object.values(PERIMETER_CATEGORIES).flat(), ...Object.values(CLASS_CATEGORIES).flat()]);
  return [...all].sort().map((category) => ({ category, domain: domainOf(category), perimeter: perimeterOf(category), field: classOf(category) }));
}
