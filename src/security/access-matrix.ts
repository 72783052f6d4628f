/**
 * THE access matrix, as data: who may do what on which resource type, and which elements each
 * ROR access profile sees. The store's write authorizer, the read redaction, the search access
 * predicate and the table of docs/security.md all read it (a test checks the doc equals it).
 */
import { RESOURCE_TYPES, type ResourceType } from '../fhir/resource-types.ts';
import type { AccessProfile, Principal, Role } from './principal.ts';

export type Action = 'read' | 'search' | 'create' | 'update' | 'patch' | 'delete';
export const ACTIONS: readonly Action[] = ['read', 'search', 'create', 'update', 'patch', 'delete'];
export const WRITE_ACTIONS: readonly Action[] = ['create', 'update', 'patch', 'delete'];

/**
 * - `all`: any resource of the type.
 * - `region`: resources whose source-region tag (TRE_R30) is one of the caller's regions, before and after.
 * - `structure`: the caller's EJ/EG and what hangs below (units via partOf, offers via providedBy,
 *   places via the offers' location or managingOrganization, practices via organization/offer).
 * - `own`: the professional's Practitioner, its PractitionerRoles, the city offers (and their places) they point to.
 * - `filtered`: readable, with the element rules of the caller's access profile (sensitive offers hidden…).
 * - `none`: refused.
 */
export type Rule = 'all' | 'region' | 'structure' | 'own' | 'filtered' | 'none';

/** Matrix subjects: people by role, applications (any access profile: elements differ, not actions), anonymous. */
export type Subject = Role | 'application' | 'anonymous';
export const SUBJECTS: readonly Subject[] = ['national-admin', 'regional-admin', 'referent', 'professional', 'application', 'anonymous'];

type Row = Partial<Record<Action, Rule>>;
const reads = (r: Rule): Row => ({ read: r, search: r });
const writes = (r: Rule): Row => ({ create: r, update: r, patch: r, delete: r });
const NONE: Row = { ...reads('none'), ...writes('none') };

/** The ROR business types, those referents and regions maintain. */
const BUSINESS: ResourceType[] = ['Organization', 'HealthcareService', 'Location', 'Practitioner', 'PractitionerRole'];

function matrixFor(subject: Subject): Record<ResourceType, Row> {
  const m = {} as Record<ResourceType, Row>;
  for (const t of RESOURCE_TYPES) m[t] = { ...NONE };
  const set = (types: ResourceType[], row: Row) => types.forEach((t) => Object.assign(m[t], row));
  switch (subject) {
    case 'national-admin':
      set([...RESOURCE_TYPES], { ...reads('all'), ...writes('all') });
      break;
    case 'regional-admin':
      set([...RESOURCE_TYPES], reads('all'));
      set([...BUSINESS, 'Task'], writes('region'));
      break;
    case 'referent':
      set([...BUSINESS, 'Questionnaire', 'Measure', 'MeasureReport', 'Task'], reads('filtered'));
      set(['Organization', 'HealthcareService', 'Location', 'PractitionerRole'], writes('structure'));
      // Anomaly reports: anyone signed in reports; referents follow up (business status) those of their structures.
      set(['Task'], { create: 'all', update: 'structure', patch: 'structure' });
      break;
    case 'professional':
      set([...BUSINESS, 'Questionnaire', 'Task'], reads('filtered'));
      set(['Practitioner', 'PractitionerRole'], { update: 'own', patch: 'own' });
      set(['PractitionerRole'], { create: 'own', delete: 'own' });
      set(['HealthcareService', 'Location'], { update: 'own', patch: 'own' });
      set(['Task'], { create: 'all' });
      break;
    case 'application':
      set([...BUSINESS, 'Questionnaire', 'Measure', 'MeasureReport', 'Task'], reads('filtered'));
      // Anomaly reports (signalement) and their follow-up: the only writes of consumer applications.
      set(['Task'], { create: 'all', patch: 'all' });
      break;
    case 'anonymous':
      set([...BUSINESS, 'Questionnaire'], reads('filtered'));
      break;
  }
  return m;
}

export const ACCESS_MATRIX: Record<Subject, Record<ResourceType, Row>> = Object.fromEntries(
  SUBJECTS.map((s) => [s, matrixFor(s)]),
) as Record<Subject, Record<ResourceType, Row>>;

export function subjectOf(p: Principal): Subject | 'system' {
  switch (p.kind) {
    case 'system':
      return 'system';
    case 'user':
      return p.role;
    case 'app':
      return 'application';
    case 'anonymous':
      return 'anonymous';
  }
}

/** The rule for one caller, type and action (`all` for the system itself). */
export function ruleFor(p: Principal, type: ResourceType, action: Action): Rule {
  const s = subjectOf(p);
  if (s === 'system') return 'all';
  return ACCESS_MATRIX[s][type][action] ?? 'none';
}

// ---------------------------------------------------------------------------------------------
// Element rules by access profile (ror-ig.md §4). `full` stands for administrators and the system.

export type ReadProfile = AccessProfile | 'full';
export const READ_PROFILES: readonly ReadProfile[] = [0, 1, 2, 3, 4, 5, 'full'];

/**
 * - `all` / `none`: the element is shown / withheld.
 * - `medico-social`: shown only for médico-social offers (champ d'activité TRE_R227 04).
 * - `city`: shown only for city offers (champ d'activité TRE_R227 05 Ambulatoire).
 * - `not-supplementary`: capacities except the supplementary (crisis) ones.
 * - `medico-social-not-supplementary`: both of the above.
 * - `installed`: only installed capacities (TRE_R330 01).
 */
export type Visibility = 'all' | 'none' | 'medico-social' | 'city' | 'not-supplementary' | 'medico-social-not-supplementary' | 'installed';

export type ElementKey = 'sensitive-offer' | 'offer-details' | 'contact-public' | 'contact-restricted' | 'contact-very-restricted' | 'capacity' | 'practitioner' | 'orsan';

export interface ElementRule {
  key: ElementKey;
  /** What the rule covers, for the documentation. */
  element: string;
  visibility: Record<ReadProfile, Visibility>;
}

const byProfile = (v0: Visibility, v1: Visibility, v2: Visibility, v3: Visibility, v4: Visibility, v5: Visibility): Record<ReadProfile, Visibility> => ({
  0: v0, 1: v1, 2: v2, 3: v3, 4: v4, 5: v5, full: 'all',
});

export const ELEMENT_RULES: readonly ElementRule[] = [
  {
    key: 'sensitive-offer',
    element: 'HealthcareService with uniteSensible = true (and the PractitionerRoles pointing to it): the whole resource',
    visibility: byProfile('none', 'all', 'none', 'none', 'all', 'none'),
  },
  {
    key: 'offer-details',
    element: 'HealthcareService.characteristic: specific acts, outside-office acts (TRE_R210), resource professions (J186), specific competences (TRE_R243)',
    visibility: byProfile('none', 'all', 'all', 'medico-social', 'all', 'all'),
  },
  {
    key: 'contact-public',
    element: 'telecom / contact with confidentiality level TRE_R283 1 (Accès libre)',
    visibility: byProfile('all', 'all', 'all', 'all', 'all', 'all'),
  },
  {
    key: 'contact-restricted',
    element: 'telecom / contact with confidentiality level TRE_R283 2 (Accès restreint)',
    visibility: byProfile('none', 'all', 'all', 'medico-social', 'none', 'all'),
  },
  {
    key: 'contact-very-restricted',
    element: 'telecom / contact with confidentiality level TRE_R283 3 (Accès très restreint) or no level',
    visibility: byProfile('none', 'all', 'none', 'none', 'none', 'none'),
  },
  {
    key: 'capacity',
    element: 'Location capacities (extension ror-location-supported-capacity)',
    visibility: byProfile('none', 'all', 'not-supplementary', 'medico-social-not-supplementary', 'all', 'installed'),
  },
  {
    key: 'practitioner',
    element: 'Practitioner and PractitionerRole',
    visibility: byProfile('city', 'all', 'all', 'all', 'all', 'all'),
  },
  {
    key: 'orsan',
    element: 'Organization ORSAN level and helicopter drop zone (ror-organization-level-recourse-orsan, ror-organization-drop-zone)',
    visibility: byProfile('none', 'all', 'none', 'none', 'all', 'none'),
  },
];

export function visibilityOf(key: ElementKey, profile: ReadProfile): Visibility {
  const rule = ELEMENT_RULES.find((r) => r.key === key);
  if (!rule) throw new Error(`unknown element rule ${key}`);
  return rule.visibility[profile];
}
