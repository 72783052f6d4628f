/**
 * The SQL common to the indicators: the ROR objects read from the store (current tables, or the history
 * as it stood on a date), the FINESS register as the last FINESS import wrote it (import_provenance), the
 * valid FINESS authorisations, and the offers (UE) with their seven population criteria (§2.2).
 * Plain PostgreSQL 15 SQL, the same on PGlite and the server. Constants are our own code lists, inlined
 * as literals; the only parameter is the reference date ($1, a date) and, for history, the instant ($2).
 */
import { REGION_TAG_SYSTEM } from '../fhir/resource-types.ts';
import { factColumns, type FactTable } from './facts.ts';
import { EXTENSIONS, SYSTEMS } from '../ingest/finess/mapping.ts';
import { jdv, rorExt, tre } from '../validation/profiles/urls.ts';
import {
  AUTHORISATION, AUTHORISATION_VALID_FROM, categoryTable, CITY_SECTORS, DOMAIN_CATEGORIES, EXCLUDED_DEPARTEMENT, FIELD_CODES,
  MCO_WITHOUT_AUTHORISATION, ORGANISATION_CATEGORY_REQUIRED, PSYCHIATRIC_CATEGORIES,
} from './reference-data.ts';

/** A SQL string literal (our constants only). */
export const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** A SQL text array literal. */
export const arr = (xs: readonly string[]) => `ARRAY[${xs.map(lit).join(',')}]::text[]`;

export const URL = {
  r66: SYSTEMS.categorie,
  r02: tre('R02-SecteurActivite'),
  finess: SYSTEMS.finess,
  idNatSt: SYSTEMS.idNatSt,
  region: REGION_TAG_SYSTEM,
  period: EXTENSIONS.period,
  closingType: EXTENSIONS.closingType,
  inseeCode: EXTENSIONS.addressInseeCode,
  r207: tre('R207-TypeOrganisationInterne'),
  r211: tre('R211-ActiviteOperationnelle'),
  r213: tre('R213-ModePriseEnCharge'),
  r227: tre('R227-ChampActivite'),
  r240: tre('R240-TemporaliteAccueil'),
  r244: tre('R244-CategorieOrganisation'),
  r253: tre('R253-TypeMaternite'),
  j17: jdv('J17-ActiviteOperationnelle-ROR').valueSet,
  j19: jdv('J19-ModePriseEnCharge-ROR').valueSet,
  j20: jdv('J20-ChampActivite-ROR').valueSet,
  j34: jdv('J34-CategorieOrganisation-ROR').valueSet,
  j220: jdv('J220-FonctionContact-ROR').valueSet,
  j221: jdv('J221-NatureContact-ROR').valueSet,
  patientType: rorExt('ror-healthcareservice-patient-type'),
  contact: rorExt('ror-healthcareservice-contact'),
  contactFunction: rorExt('ror-function-contact'),
  contactTelecom: rorExt('ror-healthcareservice-contact-telecom'),
  telecomChannel: rorExt('ror-telecom-communication-channel'),
  telecomConfidentiality: rorExt('ror-telecom-confidentiality-level'),
  sensitive: rorExt('ror-healthcareservice-sensitive-unit'),
  lieuDit: 'https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-ext-lieu-dit',
  capacity: rorExt('ror-location-supported-capacity'),
} as const;

export interface SourceOptions {
  /** Read the store as it stood at this instant (from resource_history); default: the current tables. */
  asOf?: string;
  /**
   * Only these organizations and the offers they provide (indexed, migration 098): one site's
   * to-do list reads its own resources, not the whole directory. Default: everything.
   */
  organizations?: string[];
}

const TABLES: Record<string, string> = { Organization: 'organization', HealthcareService: 'healthcare_service', Location: 'location' };

/**
 * The live resources of one type: id, region, last_updated and their indicator facts (`f_…`, facts.ts): the
 * stored columns, or for a past instant the same fact functions applied to the contents of the history.
 */
function resources(type: keyof typeof TABLES, opts: SourceOptions): string {
  const only = restriction(type, opts);
  const table = TABLES[type] as FactTable;
  if (!opts.asOf) return `SELECT id, region, last_updated, ${factColumns(table, false)} FROM ${table} WHERE NOT deleted${only}`;
  return `SELECT id, region, last_updated, ${factColumns(table, true)} FROM (
      SELECT DISTINCT ON (id) id, content, region, last_updated, deleted FROM resource_history
      WHERE resource_type = ${lit(type)} AND last_updated <= $2::timestamptz${only} ORDER BY id, version_id DESC) h
    WHERE NOT deleted`;
}

/** The SQL condition of `opts.organizations` on a source table (places are read by id from the offers). */
function restriction(type: keyof typeof TABLES, opts: SourceOptions): string {
  if (!opts.organizations) return '';
  const ids = arr(opts.organizations);
  if (type === 'Organization') return ` AND id = ANY(${ids})`;
  // Same expression as the index of migration 098.
  if (type === 'HealthcareService') return ` AND substr(content->'providedBy'->>'reference', 14) = ANY(${ids})`;
  return '';
}

/**
 * Whether one of the `system|code` codings of a fact column belongs to value set `vs`: an array overlap with the
 * members found by the `coded` CTE (membership is checked at run time, the NOS can change; once per distinct
 * coding: per offer, the function calls cost half a millisecond each, 16 s at national scale).
 */
const codedIn = (codings: string, vs: string) => `coalesce(${codings} && (SELECT members FROM coded WHERE vs = ${lit(vs)}), false)`;
/** The value sets of the criteria and the offer fact column each one checks. */
const CODED: [string, string][] = [
  [URL.j20, 'f_type_codings'], [URL.j34, 'f_category_codings'], [URL.j17, 'f_specialty_codings'],
  [URL.j19, 'f_characteristic_codings'], [URL.j220, 'f_contact_functions'], [URL.j221, 'f_contact_natures'],
];
/** Département of a COG commune code, else of a FINESS number (2 characters, 3 overseas). */
const departementOf = (insee: string, finess: string) =>
  `CASE WHEN ${insee} ~ '^9[78]' THEN left(${insee}, 3) WHEN ${insee} IS NOT NULL THEN left(${insee}, 2)
        WHEN ${finess} ~ '^9[78]' THEN left(${finess}, 3) ELSE left(${finess}, 2) END`;
const SANITAIRE = arr(DOMAIN_CATEGORIES.Sanitaire);

/** Category reference table as a VALUES list. */
export function categoryValues(): string {
  return `(VALUES ${categoryTable().map((c) => `(${lit(c.category)}, ${lit(c.domain)}, ${lit(c.perimeter)}, ${lit(c.field)})`).join(', ')}) AS cat(category, domain, perimeter, class)`;
}

/**
 * The CTEs every indicator query starts with:
 * - `org`, `hs`, `loc`: live resources;
 * - `finess_et`: FINESS establishments as last imported (finess, finess_ej, category, region, departement, open);
 * - `auth`: per ET, counts of valid authorisations per field and the specific ones;
 * - `ror_eg`: ROR sites (Organizations with an establishment category), their FINESS number and state;
 * - `eg_of`: the site each organization belongs to (itself, or up its partOf chain: OI → EG);
 * - `ue`: open offers attached to a site, with the seven criteria and their status.
 */
export function baseCtes(opts: SourceOptions = {}): string {
  const a = AUTHORISATION;
  // Live tables are inlined (NOT MATERIALIZED) so that look-ups by id use their primary keys; the
  // as-of-date version (DISTINCT ON over the history, facts computed from the contents) is computed once.
  const mat = opts.asOf ? 'MATERIALIZED' : 'NOT MATERIALIZED';
  return `
  org AS ${mat} (${resources('Organization', opts)}),
  hs AS ${mat} (${resources('HealthcareService', opts)}),
  loc AS ${mat} (${resources('Location', opts)}),
  -- The offers' codings that belong to each value set of the criteria (see codedIn).
  coded AS MATERIALIZED (
    SELECT d.vs, array_agg(d.s) AS members
    FROM (SELECT DISTINCT y.vs, u.s FROM hs h
          CROSS JOIN LATERAL (VALUES ${CODED.map(([vs, col]) => `(${lit(vs)}, h.${col})`).join(', ')}) AS y(vs, cs)
          -- OFFSET 0: the distinct codings first, then the membership test (pushed down, it ran per offer).
          CROSS JOIN LATERAL unnest(y.cs) AS u(s) OFFSET 0) d
    WHERE ror_fact_coded_in(d.vs, ARRAY[d.s])
    GROUP BY d.vs),
  -- The FINESS copy as the last import wrote it: its facts are columns of import_provenance (migration 099).
  finess_raw AS MATERIALIZED (
    SELECT substr(p.id, ${'finess-eg-'.length + 1}) AS finess, p.f_category AS category, p.f_finess_ej AS finess_ej, p.f_name AS name,
      p.f_opened AS opened, p.f_closing_date AS closing_date, p.f_closing_type AS closing_type, p.closed_at, p.f_region AS region, p.f_insee AS insee
    FROM import_provenance p
    WHERE p.source = 'finess' AND p.resource_type = 'Organization' AND p.id LIKE 'finess-eg-%'),
  finess_et AS (
    SELECT f.finess, f.category, f.finess_ej, f.name, coalesce(f.region, '-2') AS region,
      ${departementOf('f.insee', 'f.finess')} AS departement, f.closing_type,
      -- open: an opening date, no closure (caducité is not in the files we read: never caduc)
      (f.opened IS NOT NULL AND f.closed_at IS NULL AND (f.closing_date IS NULL OR f.closing_date > $1::date::text)) AS open,
      (f.closed_at IS NOT NULL OR f.closing_date IS NOT NULL) AS has_closure
    FROM finess_raw f),
  auth AS (
    SELECT nofinesset AS finess,
      count(*) FILTER (WHERE (forme = ${lit(a.hadForm)} AND activite <> ${lit(a.psyActivity)}) OR activite = ANY(${arr(a.mcoActivities)})) AS n_mco,
      count(*) FILTER (WHERE activite = ANY(${arr(a.smrActivities)}) AND forme <> ${lit(a.hadForm)}) AS n_smr,
      count(*) FILTER (WHERE activite = ${lit(a.psyActivity)}) AS n_psy,
      bool_or(activite = ${lit(a.reaAdult[0])} AND modalite = ANY(${arr(a.reaAdult[1])})) AS rea_adult,
      bool_or(activite = ${lit(a.reaPaediatric[0])} AND modalite = ANY(${arr(a.reaPaediatric[1])})) AS rea_paediatric,
      bool_or(activite = ${lit(a.obstetrics[0])} AND modalite = ANY(${arr(a.obstetrics[1])})) AS obstetrics,
      bool_or(activite = ${lit(a.neonatology[0])} AND modalite = ANY(${arr(a.neonatology[1])})) AS neonatology,
      bool_or(activite = ${lit(a.neonatalIntensiveCare[0])} AND modalite = ANY(${arr(a.neonatalIntensiveCare[1])})) AS neonatal_ic,
      bool_or(activite = ${lit(a.neonatalRea[0])} AND modalite = ANY(${arr(a.neonatalRea[1])})) AS neonatal_rea,
      bool_or(activite = ${lit(a.emergency[0])} AND modalite = ANY(${arr(a.emergency[1])})) AS emergency,
      bool_or(activite = ${lit(a.paediatricEmergency[0])} AND modalite = ANY(${arr(a.paediatricEmergency[1])})) AS paediatric_emergency
    FROM finess_authorisation
    -- valid: still running at the 2021 reform (a missing end date counts as running: decision Q2), not caduc, not removed
    WHERE (datefin IS NULL OR datefin >= DATE ${lit(AUTHORISATION_VALID_FROM)})
      AND coalesce(indcaduc, 'N') <> 'O' AND coalesce(indsupact, 'N') <> 'O'
    GROUP BY nofinesset),
  -- Sites: the organizations with an establishment category (TRE_R66, or a TRE_R02 city sector).
  ror_eg AS (
    SELECT o.id, o.last_updated, coalesce(o.region, '-2') AS region, o.f_finess AS finess, o.f_id_nat AS id_nat,
      o.f_category AS category, o.f_parent AS ej_id, o.f_closing_type AS closing_type,
      (o.f_active AND coalesce(o.f_period_end > $1::date::text, true)) AS open, o.f_insee AS insee
    FROM org o
    WHERE o.f_category IS NOT NULL),
  ror_eg_x AS (
    SELECT e.*, ${departementOf('e.insee', "coalesce(e.finess, '')")} AS departement, coalesce(cat.domain, 'Non défini') AS domain
    FROM ror_eg e LEFT JOIN ${categoryValues()} ON cat.category = e.category),
  -- The partOf chain is walked on the organization table (primary-key look-ups), then matched against the sites
  -- once: joining the (materialised) site list at each level made PostgreSQL rescan it per organization, which
  -- is quadratic at national scale (bench/RESULTS.md).
  org_chain AS (
    SELECT o.id, p2.id AS a2, p3.id AS a3, p4.id AS a4
    FROM org o
    LEFT JOIN org p2 ON p2.id = o.f_parent
    LEFT JOIN org p3 ON p3.id = p2.f_parent
    LEFT JOIN org p4 ON p4.id = p3.f_parent),
  -- MATERIALIZED: joined on eg_id as a plain column (a hash join), not on the coalesce of outer-joined columns.
  eg_of AS MATERIALIZED (
    SELECT c.id, coalesce(e1.id, e2.id, e3.id, e4.id) AS eg_id,
      CASE WHEN e1.id IS NOT NULL THEN e1.category WHEN e2.id IS NOT NULL THEN e2.category WHEN e3.id IS NOT NULL THEN e3.category ELSE e4.category END AS eg_category
    FROM org_chain c
    LEFT JOIN ror_eg e1 ON e1.id = c.id
    LEFT JOIN ror_eg e2 ON e2.id = c.a2
    LEFT JOIN ror_eg e3 ON e3.id = c.a3
    LEFT JOIN ror_eg e4 ON e4.id = c.a4),
  -- Open offers with their site, joined once on their own (MATERIALIZED): inside the criteria query below, the
  -- planner joined offers and eg_of by a nested loop (offers × organizations: hours at national scale).
  ue_base AS MATERIALIZED (
    SELECT h.*, g.eg_id, g.eg_category
    FROM hs h JOIN eg_of g ON g.id = h.f_provider AND g.eg_id IS NOT NULL
    WHERE h.f_active),
  ue_raw AS (
    SELECT h.id, h.last_updated, h.region, h.eg_id, h.eg_category, h.f_provider AS provider_id, h.f_name AS name,
      h.f_activities AS activities, h.f_care_modes AS care_modes, h.f_org_categories AS org_categories,
      h.f_reception_types AS reception_types, h.f_maternity_types AS maternity_types, h.f_sensitive AS sensitive, k.*
    -- The criteria in a LATERAL sub-query kept apart (OFFSET 0): computed once per offer. Inlined, each was
    -- evaluated again by every reference in \`ue\` (met, applicable, status).
    FROM ue_base h CROSS JOIN LATERAL (SELECT
      h.f_field_code AS field_code,
      ${codedIn('h.f_type_codings', URL.j20)} AS c1,
      CASE WHEN h.eg_category = ANY(${arr(ORGANISATION_CATEGORY_REQUIRED)}) THEN ${codedIn('h.f_category_codings', URL.j34)} END AS c2,
      ${codedIn('h.f_specialty_codings', URL.j17)} AS c3,
      ${codedIn('h.f_characteristic_codings', URL.j19)} AS c4,
      h.f_ages AS c5,
      EXISTS (SELECT 1 FROM unnest(h.f_locations) r JOIN loc l ON l.id = r WHERE l.f_address_ok) AS c6,
      (${codedIn('h.f_contact_functions', URL.j220)} OR ${codedIn('h.f_contact_natures', URL.j221)}) AS c7,
      coalesce((SELECT sum(l.f_installed) FROM unnest(h.f_locations) r JOIN loc l ON l.id = r), 0) AS installed
      OFFSET 0) k),
  ue AS (
    SELECT u.*,
      (u.c1::int + coalesce(u.c2::int, 0) + u.c3::int + u.c4::int + u.c5::int + u.c6::int + u.c7::int) AS met,
      (6 + (u.c2 IS NOT NULL)::int) AS applicable,
      CASE WHEN (u.c1::int + coalesce(u.c2::int, 0) + u.c3::int + u.c4::int + u.c5::int + u.c6::int + u.c7::int) = 6 + (u.c2 IS NOT NULL)::int THEN 'finalise'
           WHEN (u.c1 OR coalesce(u.c2, false) OR u.c3 OR u.c4 OR u.c5 OR u.c6 OR u.c7) THEN 'en_cours'
           ELSE 'a_faire' END AS status
    FROM ue_raw u)`;
}

/** The population rows (§2.3): one per open FINESS ET of a followed category, per field for sanitaire ones. */
export function populationRowsCte(): string {
  return `
  target AS (
    SELECT f.*, cat.domain, cat.perimeter, cat.class,
      coalesce(a.n_mco, 0) AS n_mco, coalesce(a.n_smr, 0) AS n_smr, coalesce(a.n_psy, 0) AS n_psy
    FROM finess_et f
    JOIN ${categoryValues()} ON cat.category = f.category
    LEFT JOIN auth a ON a.finess = f.finess
    WHERE f.open AND f.departement <> ${lit(EXCLUDED_DEPARTEMENT)}
      AND (cat.domain IN ('Sanitaire', 'Médico-social') OR f.category = ANY(ARRAY['603','604','606','617','618']::text[]))),
  pop_rows AS (
    SELECT t.finess, t.name, t.region, t.departement, t.category, t.domain, t.perimeter, fld.field, fld.code AS field_code
    FROM target t
    CROSS JOIN LATERAL (VALUES
      ('MCO', ${lit(FIELD_CODES.MCO)}, t.n_mco > 0 OR t.category = ANY(${arr(MCO_WITHOUT_AUTHORISATION)})),
      ('SMR', ${lit(FIELD_CODES.SMR)}, t.n_smr > 0),
      ('PSY', ${lit(FIELD_CODES.PSY)}, t.n_psy > 0 OR t.category = ANY(${arr(PSYCHIATRIC_CATEGORIES)}))) AS fld(field, code, present)
    WHERE t.category = ANY(${SANITAIRE}) AND fld.present
    UNION ALL
    SELECT t.finess, t.name, t.region, t.departement, t.category, t.domain, t.perimeter, t.class, NULL
    FROM target t WHERE NOT t.category = ANY(${SANITAIRE})),
  -- One row per unit of counting even when several ROR sites carry the FINESS number (decision Q3):
  -- the offers of all of them count, the row is not multiplied.
  pop_status AS (
    SELECT r.finess, r.name, r.region, r.departement, r.category, r.domain, r.perimeter, r.field,
      count(DISTINCT e.id) AS ror_sites,
      count(DISTINCT u.id) AS units,
      count(DISTINCT u.id) FILTER (WHERE u.status = 'finalise') AS units_finalised,
      count(DISTINCT u.id) FILTER (WHERE u.status = 'en_cours') AS units_in_progress
    FROM pop_rows r
    LEFT JOIN ror_eg e ON e.finess = r.finess
    LEFT JOIN ue u ON u.eg_id = e.id AND (r.field_code IS NULL OR u.field_code = r.field_code)
    GROUP BY r.finess, r.name, r.region, r.departement, r.category, r.domain, r.perimeter, r.field),
  pop AS (
    SELECT s.*,
      CASE WHEN s.units > 0 AND s.units_finalised = s.units THEN 'finalise'
           -- finalised and to-do offers without any in progress: "en cours" (decision Q4; the published SQL says "à faire")
           WHEN s.units > 0 AND (s.units_in_progress > 0 OR s.units_finalised > 0) THEN 'en_cours'
           ELSE 'a_faire' END AS status
    FROM pop_status s)`;
}

export { CITY_SECTORS };

/**
 * A WITH list without the named CTEs (they are then read from tables of the same name: the temporary
 * tables of compute.ts). Top-level CTEs start a line with two spaces, after their comment lines.
 */
export function withoutCtes(ctes: string, names: ReadonlySet<string>): string {
  const parts = ctes.split(/,[ \t]*\n(?=(?: {2}--[^\n]*\n)* {2}[a-z_0-9]+ AS (?:(?:NOT )?MATERIALIZED )?\()/);
  return parts.filter((p) => {
    const name = /^\s*(?:--[^\n]*\n\s*)*([a-z_0-9]+) AS /.exec(p)?.[1];
    if (!name) throw new Error(`unparsable CTE: ${p.slice(0, 60)}`);
    return !names.has(name);
  }).join(',\n');
}
