/**
 * Quality requirements ("exigences qualité"), ror-indicators.md §3: each rule gives, per checked object,
 * `conforme`, `ecart` (with the reason, in French) or `na` (in scope of the rule's object but not
 * concerned, with the reason); objects outside the rule's perimeter are not listed. Aggregated by rule ×
 * région × département × domain: perimeter = conforme + écart, conformity = 1 − écarts / perimeter.
 */
import type { Database, Queryable } from '../db/database.ts';
import { computeIndicators } from './compute.ts';
import type { ComputeOptions } from './population.ts';
import { CITY_SECTORS, DOMAIN_CATEGORIES, RULE_CODES } from './reference-data.ts';
import { arr, categoryValues, lit } from './sources.ts';

export const RULES = {
  'EX1.2': 'Exhaustivité : chaque établissement FINESS du périmètre est décrit dans le ROR',
  EX2: "Cohérence de l'état ouvert / fermé avec FINESS",
  EX3: 'Réanimation adulte autorisée décrite',
  EX4: 'Réanimation pédiatrique autorisée décrite',
  EX5: 'Réanimation néonatale autorisée décrite',
  'RE1.2': "Fraîcheur : offres mises à jour depuis moins d'un an",
  ST2: "Rattachement à l'entité juridique FINESS",
  ST3: 'Pas de doublon (identifiant national de structure)',
  CO1: 'Urgences : nommage et autorisations',
  CO2: 'Maternité : niveau complet et conforme à FINESS',
  CO3: 'Unités sensibles signalées',
  CO4: 'Catégorie d’établissement conforme à FINESS',
  CP4: 'Peuplement finalisé',
  CP5: "ESMS : catégorie d'organisation et temporalité d'accueil",
  CP6: 'ESMS : capacité installée',
} as const;
export type RuleCode = keyof typeof RULES;
export const RULE_CODES_LIST = Object.keys(RULES) as RuleCode[];

export type RuleStatus = 'conforme' | 'ecart' | 'na';

export interface RuleResult {
  rule: RuleCode;
  objectType: 'FinessET' | 'Organization' | 'HealthcareService' | 'FinessET×champ';
  objectId: string;
  finess: string | null;
  region: string;
  departement: string;
  domain: string;
  status: RuleStatus;
  reason: string | null;
}

export interface QualityAggregate {
  rule: RuleCode;
  region: string;
  departement: string;
  domain: string;
  perimeterCount: number;
  deviations: number;
  /** 1 − écarts / périmètre (1 for an empty perimeter). */
  conformity: number;
}

const R = RULE_CODES;
const SANITAIRE = arr(DOMAIN_CATEGORIES.Sanitaire);
const MEDICO_SOCIAL = arr(DOMAIN_CATEGORIES['Médico-social']);
const CITY = arr(CITY_SECTORS);
/** Name without accents, lower case (the published SQL compares with French_CI_AI). */
const norm = (e: string) => `lower(unaccent(coalesce(${e}, '')))`;
const row = (rule: string, type: string, id: string, finess: string, region: string, dep: string, domain: string, status: string, reason: string) =>
  `SELECT ${lit(rule)}::text AS rule, ${lit(type)}::text AS object_type, ${id}::text AS object_id, ${finess}::text AS finess, ${region}::text AS region,
          ${dep}::text AS departement, ${domain}::text AS domain, ${status}::text AS status, ${reason}::text AS reason`;

/** Extra CTEs of the rules: offers with their codes, the followed FINESS target. */
function qualityCtes(): string {
  const keywords = RULE_CODES.co3Keywords.filter((k) => k !== 'smpr').join('|');
  return `
  ue_x AS (
    SELECT u.id, u.eg_id, u.provider_id, u.last_updated, u.name, u.activities, u.care_modes, u.org_categories,
      u.reception_types, u.maternity_types, (SELECT max(t) FROM unnest(u.maternity_types) t) AS maternity_max,
      u.sensitive, u.installed,
      e.category AS eg_category, e.region, e.departement, e.domain, e.finess AS eg_finess,
      ${norm('u.name')} AS norm_name
    FROM ue u JOIN ror_eg_x e ON e.id = u.eg_id),
  -- The organizations providing offers, with the normalised name of the UFs (CO3).
  provider AS (
    SELECT o.id, o.f_oi_types AS oi_types, CASE WHEN ${lit('3')} = ANY(o.f_oi_types) THEN ${norm('o.f_name')} END AS norm_name
    FROM org o WHERE o.id IN (SELECT provider_id FROM ue_x)),
  co3 AS (
    SELECT x.*,
      (x.eg_category IS NULL OR NOT x.eg_category = ANY(${arr(R.co3ExcludedCategories)}))
      AND (x.norm_name ~ ${lit(keywords)} OR (x.norm_name ~ 'smpr' AND x.norm_name !~ 'readaptation')
           OR ${lit(R.activity.prisonMedicine)} = ANY(x.activities)
           OR (${lit('3')} = ANY(p.oi_types) AND (p.norm_name ~ ${lit(keywords)} OR (p.norm_name ~ 'smpr' AND p.norm_name !~ 'readaptation')))) AS candidate
    FROM ue_x x LEFT JOIN provider p ON p.id = x.provider_id),
  followed_et AS (
    SELECT f.*, cat.domain AS f_domain, cat.perimeter, a.n_mco, a.n_smr, a.n_psy, a.rea_adult, a.rea_paediatric, a.neonatal_rea,
      a.obstetrics, a.neonatology, a.neonatal_ic, a.emergency, a.paediatric_emergency
    FROM finess_et f JOIN ${categoryValues()} ON cat.category = f.category LEFT JOIN auth a ON a.finess = f.finess
    WHERE f.open AND f.departement <> '975' AND cat.perimeter <> 'Non suivi'),
  ror_ej AS (
    SELECT o.id, o.region, o.f_finess AS finess, o.f_id_nat AS id_nat, o.f_active AS open
    FROM org o WHERE NOT o.f_has_parent AND NOT EXISTS (SELECT 1 FROM ror_eg e WHERE e.id = o.id)),
  ror_finess AS (SELECT DISTINCT finess FROM ror_eg WHERE finess IS NOT NULL),
  -- Activities of the offers of the ROR sites carrying each FINESS number (EX3–EX5).
  finess_acts AS (
    SELECT e.finess, array_agg(DISTINCT a) AS activities
    FROM ror_eg e JOIN ue_x x ON x.eg_id = e.id, unnest(x.activities) a
    WHERE e.finess IS NOT NULL GROUP BY e.finess),
  freshness AS (
    SELECT x.eg_id, count(*) AS total, count(*) FILTER (WHERE x.last_updated >= $1::date - interval '1 year') AS fresh
    FROM ue_x x GROUP BY x.eg_id),
  mat AS (
    SELECT x.eg_id,
      bool_or(${lit(R.activity.neonatalRea)} = ANY(x.activities)) AS has_rea,
      bool_or(${lit(R.activity.neonatalIntensiveCare)} = ANY(x.activities)) AS has_si,
      bool_or(${lit(R.activity.neonatology)} = ANY(x.activities)) AS has_neonat,
      bool_or(${lit(R.activity.obstetrics)} = ANY(x.activities)) AS has_obst,
      max(x.maternity_max) AS declared,
      bool_or(x.norm_name ~ 'maternite') AS named
    FROM ue_x x
    WHERE x.care_modes && ${arr(R.careMode.hospitalisation)}
      AND (x.activities && ${arr([R.activity.neonatology, R.activity.obstetrics, R.activity.neonatalRea, R.activity.obstetricEmergency, R.activity.neonatalIntensiveCare])}
           OR cardinality(x.maternity_types) > 0)
    GROUP BY x.eg_id)`;
}

function ruleSelects(): Record<RuleCode, string> {
  const egCols = (rule: string, status: string, reason: string) => row(rule, 'Organization', 'e.id', 'e.finess', 'e.region', 'e.departement', 'e.domain', status, reason);
  const ueCols = (rule: string, status: string, reason: string) => row(rule, 'HealthcareService', 'x.id', 'x.eg_finess', 'x.region', 'x.departement', 'x.domain', status, reason);
  const etCols = (rule: string, status: string, reason: string) => row(rule, 'FinessET', 't.finess', 't.finess', 't.region', 't.departement', 't.f_domain', status, reason);
  const described = (aos: string) => `coalesce(fa.activities && ${aos}, false)`;
  const rea = (rule: RuleCode, flag: string, aos: readonly string[], label: string) =>
    `${etCols(rule, `CASE WHEN ${described(arr(aos))} THEN 'conforme' ELSE 'ecart' END`, `CASE WHEN ${described(arr(aos))} THEN NULL ELSE ${lit(`autorisation FINESS de ${label} sans offre correspondante dans le ROR (activité ${aos.join(', ')})`)} END`)}
     FROM followed_et t LEFT JOIN finess_acts fa ON fa.finess = t.finess WHERE t.${flag}`;
  const stPerimeter = `e.finess IS NOT NULL AND e.region <> '-2' AND (e.open OR e.closing_type = 'PRO')`;
  const esms = `x.care_modes && ${arr(R.careMode.esms)} AND x.eg_category = ANY(${MEDICO_SOCIAL})
      AND ((x.eg_category = ANY(${arr(R.cp5Ph)})) OR (x.eg_category = ANY(${arr(R.cp5Pa)}) AND ${lit(R.careMode.accommodation)} = ANY(x.care_modes)))`;
  return {
    'EX1.2': `${etCols('EX1.2',
      `CASE WHEN rf.finess IS NOT NULL THEN 'conforme' ELSE 'ecart' END`,
      `CASE WHEN rf.finess IS NOT NULL THEN NULL ELSE 'aucune structure du ROR ne porte ce numéro FINESS' END`)}
      FROM followed_et t LEFT JOIN ror_finess rf ON rf.finess = t.finess
      WHERE t.perimeter = 'historique' AND ((t.category = ANY(${SANITAIRE}) AND coalesce(t.n_mco, 0) + coalesce(t.n_smr, 0) + coalesce(t.n_psy, 0) > 0) OR t.f_domain = 'Médico-social')`,
    EX2: `${egCols('EX2',
      `CASE WHEN f.finess IS NULL OR (NOT f.open AND e.open) OR (f.open AND NOT e.open)
              OR (NOT f.open AND NOT e.open AND coalesce(f.closing_type, 'DEF') <> coalesce(e.closing_type, 'DEF')) THEN 'ecart' ELSE 'conforme' END`,
      `CASE WHEN f.finess IS NULL THEN 'numéro FINESS inconnu de FINESS'
            WHEN NOT f.open AND e.open THEN 'fermé dans FINESS, ouvert dans le ROR'
            WHEN f.open AND NOT e.open THEN 'ouvert dans FINESS, fermé dans le ROR'
            WHEN NOT f.open AND NOT e.open AND coalesce(f.closing_type, 'DEF') <> coalesce(e.closing_type, 'DEF')
              THEN 'type de fermeture ' || coalesce(e.closing_type, 'DEF') || ' dans le ROR, ' || coalesce(f.closing_type, 'DEF') || ' dans FINESS' END`)}
      FROM ror_eg_x e LEFT JOIN finess_et f ON f.finess = e.finess
      WHERE e.finess IS NOT NULL AND e.region <> '-2'`,
    EX3: rea('EX3', 'rea_adult', R.activity.reaAdult, 'réanimation adulte'),
    EX4: rea('EX4', 'rea_paediatric', [R.activity.reaPaediatric], 'réanimation pédiatrique'),
    EX5: rea('EX5', 'neonatal_rea', [R.activity.neonatalRea], 'réanimation néonatale'),
    'RE1.2': `${egCols('RE1.2',
      `CASE WHEN s.total = 0 OR (s.total < 8 AND s.fresh >= 1) OR (s.total >= 8 AND round(s.fresh::numeric / s.total, 2) >= 0.25) THEN 'conforme' ELSE 'ecart' END`,
      `CASE WHEN s.total = 0 OR (s.total < 8 AND s.fresh >= 1) OR (s.total >= 8 AND round(s.fresh::numeric / s.total, 2) >= 0.25) THEN NULL
            ELSE s.fresh || ' offre(s) sur ' || s.total || ' mise(s) à jour depuis le ' || to_char($1::date - interval '1 year', 'YYYY-MM-DD') END`)}
      FROM ror_eg_x e
      LEFT JOIN freshness f ON f.eg_id = e.id
      CROSS JOIN LATERAL (SELECT coalesce(f.total, 0) AS total, coalesce(f.fresh, 0) AS fresh) s
      WHERE e.open AND (e.category IS NULL OR NOT e.category = ANY(${CITY}))`,
    ST2: `${egCols('ST2',
      `CASE WHEN f.finess IS NULL THEN 'na' WHEN j.finess = f.finess_ej THEN 'conforme' ELSE 'ecart' END`,
      `CASE WHEN f.finess IS NULL THEN 'numéro FINESS inconnu de FINESS (voir EX2)' WHEN j.finess = f.finess_ej THEN NULL
            WHEN j.id IS NULL THEN 'aucune entité juridique rattachée (FINESS : ' || coalesce(f.finess_ej, '?') || ')'
            ELSE 'entité juridique ' || coalesce(j.finess, 'sans numéro FINESS') || ' au lieu de ' || coalesce(f.finess_ej, '?') END`)}
      FROM ror_eg_x e LEFT JOIN finess_et f ON f.finess = e.finess LEFT JOIN ror_ej j ON j.id = e.ej_id
      WHERE ${stPerimeter}`,
    CO4: `${egCols('CO4',
      `CASE WHEN e.category = ANY(${CITY}) OR f.finess IS NULL THEN 'na' WHEN e.category = f.category THEN 'conforme' ELSE 'ecart' END`,
      `CASE WHEN e.category = ANY(${CITY}) THEN 'secteur offre de ville' WHEN f.finess IS NULL THEN 'numéro FINESS inconnu de FINESS (voir EX2)'
            WHEN e.category = f.category THEN NULL
            ELSE 'catégorie ' || coalesce(e.category, 'absente') || ' dans le ROR, ' || coalesce(f.category, 'absente') || ' dans FINESS (valeur proposée : ' || coalesce(f.category, '?') || ')' END`)}
      FROM ror_eg_x e LEFT JOIN finess_et f ON f.finess = e.finess
      WHERE ${stPerimeter}`,
    ST3: `${row('ST3', 'Organization', 's.id', 's.finess', 's.region', 's.departement', 's.domain',
      `CASE WHEN s.n > 1 THEN 'ecart' ELSE 'conforme' END`,
      `CASE WHEN s.n > 1 THEN 'identifiant national ' || s.id_nat || ' porté par ' || s.n || ' structures de la région' END`)}
      FROM (SELECT u.*, count(*) OVER (PARTITION BY u.kind, u.region, u.id_nat) AS n FROM (
        SELECT 'EG' AS kind, e.id, e.finess, e.region, e.departement, e.domain, e.id_nat FROM ror_eg_x e
        WHERE e.open AND e.id_nat IS NOT NULL AND (e.category IS NULL OR NOT e.category = ANY(${CITY}))
        UNION ALL
        SELECT 'EJ', j.id, j.finess, j.region, ${`CASE WHEN j.finess ~ '^9[78]' THEN left(j.finess, 3) ELSE coalesce(left(j.finess, 2), '-2') END`}, 'Non défini', j.id_nat FROM ror_ej j
        WHERE j.open AND j.id_nat IS NOT NULL AND j.id !~ 'ejv$') u) s`,
    CO1: `${ueCols('CO1',
      `CASE WHEN x.norm_name ~ 'urgence' AND ((${lit(R.activity.emergency)} = ANY(x.activities) AND coalesce(t.emergency, false))
                                          OR (NOT ${lit(R.activity.emergency)} = ANY(x.activities) AND (coalesce(t.paediatric_emergency, false) OR coalesce(t.emergency, false))))
            THEN 'conforme' ELSE 'ecart' END`,
      `concat_ws(' ; ', CASE WHEN x.norm_name !~ 'urgence' THEN 'le nom de l''offre ne contient pas « urgence »' END,
         CASE WHEN ${lit(R.activity.emergency)} = ANY(x.activities) AND NOT coalesce(t.emergency, false) THEN 'urgences polyvalentes sans autorisation FINESS 14/23'
              WHEN NOT ${lit(R.activity.emergency)} = ANY(x.activities) AND NOT (coalesce(t.paediatric_emergency, false) OR coalesce(t.emergency, false)) THEN 'urgences pédiatriques sans autorisation FINESS 14/24 ni 14/23' END)`)}
      FROM ue_x x JOIN followed_et t ON t.finess = x.eg_finess
      WHERE ${lit(R.careMode.emergency)} = ANY(x.care_modes) AND x.activities && ${arr([R.activity.emergency, R.activity.paediatricEmergency])}`,
    CO2: `${egCols('CO2',
      `CASE WHEN c.ladder IS NOT NULL AND c.declared_type = c.finess_type AND m.named THEN 'conforme' ELSE 'ecart' END`,
      `nullif(concat_ws(' ; ',
         CASE WHEN c.ladder IS NULL THEN 'offres de périnatalité incomplètes pour un niveau de maternité' END,
         CASE WHEN c.declared_type IS DISTINCT FROM c.finess_type THEN 'type déclaré ' || coalesce(c.declared_type, 'aucun') || ', type autorisé par FINESS ' || coalesce(c.finess_type, 'aucun') END,
         CASE WHEN NOT m.named THEN 'aucune offre nommée « maternité »' END), '')`)}
      FROM mat m JOIN ror_eg_x e ON e.id = m.eg_id LEFT JOIN auth a ON a.finess = e.finess
      CROSS JOIN LATERAL (SELECT
        CASE WHEN m.has_rea AND m.has_si AND m.has_neonat AND m.has_obst THEN '3'
             WHEN NOT m.has_rea AND m.has_si AND m.has_neonat AND m.has_obst THEN '2B'
             WHEN NOT m.has_rea AND NOT m.has_si AND m.has_neonat AND m.has_obst THEN '2A'
             WHEN NOT m.has_rea AND NOT m.has_si AND NOT m.has_neonat AND m.has_obst THEN '1' END AS ladder,
        CASE m.declared ${Object.entries(R.maternityType).map(([k, v]) => `WHEN ${lit(k)} THEN ${lit(v)}`).join(' ')} END AS declared_type,
        CASE WHEN a.neonatal_rea THEN '3' WHEN a.neonatal_ic THEN '2B' WHEN a.neonatology THEN '2A' WHEN a.obstetrics THEN '1' END AS finess_type) c
      WHERE e.open`,
    CO3: `${ueCols('CO3',
      `CASE WHEN x.candidate AND x.sensitive THEN 'conforme' ELSE 'ecart' END`,
      `CASE WHEN x.candidate AND NOT x.sensitive THEN 'offre d''unité sensible (nom ou activité) non signalée sensible'
            WHEN NOT x.candidate THEN 'offre signalée sensible sans en avoir le nom ni l''activité' END`)}
      FROM co3 x WHERE x.candidate OR x.sensitive`,
    CP4: `${row('CP4', 'FinessET×champ', `p.finess || '|' || p.field`, 'p.finess', 'p.region', 'p.departement', 'p.domain',
      `CASE WHEN p.status = 'finalise' THEN 'conforme' ELSE 'ecart' END`,
      `CASE WHEN p.status = 'finalise' THEN NULL WHEN p.status = 'en_cours' THEN 'peuplement en cours (' || p.units_finalised || ' offre(s) finalisée(s) sur ' || p.units || ')'
            WHEN p.ror_sites = 0 THEN 'établissement absent du ROR' ELSE 'aucune offre décrite' END`)}
      FROM pop p`,
    CP5: `${ueCols('CP5',
      `CASE WHEN ${lit(R.organisationCategory.outOfEsmsRules)} = ANY(x.org_categories) THEN 'na'
            WHEN cardinality(x.org_categories) > 0 AND cardinality(x.reception_types) > 0 THEN 'conforme' ELSE 'ecart' END`,
      `CASE WHEN ${lit(R.organisationCategory.outOfEsmsRules)} = ANY(x.org_categories) THEN 'plateforme d''accompagnement et de répit (catégorie 38)'
            ELSE nullif(concat_ws(' ; ', CASE WHEN cardinality(x.org_categories) = 0 THEN 'catégorie d''organisation manquante' END,
                                        CASE WHEN cardinality(x.reception_types) = 0 THEN 'temporalité d''accueil manquante' END), '') END`)}
      FROM ue_x x WHERE ${esms}`,
    CP6: `${ueCols('CP6',
      `CASE WHEN ${lit(R.organisationCategory.outOfEsmsRules)} = ANY(x.org_categories) OR ${lit(R.organisationCategory.noCapacityRule)} = ANY(x.org_categories) THEN 'na'
            WHEN x.installed > 0 THEN 'conforme' ELSE 'ecart' END`,
      `CASE WHEN ${lit(R.organisationCategory.outOfEsmsRules)} = ANY(x.org_categories) THEN 'plateforme d''accompagnement et de répit (catégorie 38)'
            WHEN ${lit(R.organisationCategory.noCapacityRule)} = ANY(x.org_categories) THEN 'PASA (catégorie 25) : pas de capacité attendue'
            WHEN x.installed > 0 THEN NULL ELSE 'aucune place installée' END`)}
      FROM ue_x x WHERE ${esms}`,
  };
}

/**
 * The rules' statement after the WITH list of the sources (`ctes`: baseCtes + populationRowsCte, or what is left
 * of them when compute.ts has materialised some), filtered on `region` when `regionParam` names a parameter.
 */
export function qualitySql(ctes: string, rules: RuleCode[] = RULE_CODES_LIST, regionParam?: string): string {
  const selects = ruleSelects();
  return `WITH ${ctes}, ${qualityCtes()},
    results AS (${rules.map((r) => `(${selects[r]})`).join('\nUNION ALL\n')})
    SELECT * FROM results ${regionParam ? `WHERE region = ${regionParam}` : ''} ORDER BY rule, object_id`;
}

/** Per-object results of the given rules (all by default), through computeIndicators (see populationRows). */
export async function qualityResults(db: Database | Queryable, opts: ComputeOptions & { rules?: RuleCode[] } = {}): Promise<RuleResult[]> {
  return (await computeIndicators(db, opts)).results;
}

export function toRuleResult(x: Record<string, unknown>): RuleResult {
  return {
    rule: x.rule as RuleCode,
    objectType: x.object_type as RuleResult['objectType'],
    objectId: String(x.object_id),
    finess: (x.finess as string | null) ?? null,
    region: String(x.region ?? '-2'),
    departement: String(x.departement ?? '-2'),
    domain: String(x.domain ?? 'Non défini'),
    status: x.status as RuleStatus,
    reason: (x.reason as string | null) || null,
  };
}

/** Counts per rule × région × département × domain, and a national line (région 00, département -3). */
export function aggregateQuality(results: RuleResult[]): QualityAggregate[] {
  const groups = new Map<string, QualityAggregate>();
  const add = (r: RuleResult, region: string, departement: string) => {
    const key = [r.rule, region, departement, r.domain].join('\u0000');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { rule: r.rule, region, departement, domain: r.domain, perimeterCount: 0, deviations: 0, conformity: 1 }));
    g.perimeterCount++;
    if (r.status === 'ecart') g.deviations++;
  };
  for (const r of results) {
    if (r.status === 'na') continue;
    add(r, r.region, r.departement);
    add(r, '00', '-3');
  }
  const out = [...groups.values()];
  for (const g of out) g.conformity = g.perimeterCount > 0 ? 1 - g.deviations / g.perimeterCount : 1;
  return out.sort((a, b) => [a.rule, a.region, a.departement, a.domain].join(' ').localeCompare([b.rule, b.region, b.departement, b.domain].join(' ')));
}
