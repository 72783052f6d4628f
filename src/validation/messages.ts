import type { Issue, IssueSeverity } from '../fhir/outcome.ts';
import type { OrgVariant, Text } from './model.ts';
import { valueSetName } from './profiles/urls.ts';

/**
 * The wording of profile issues: French for referents (the element's business name, where it sits,
 * the short path in brackets), English for integrators (the FHIRPath is in `expression`).
 */

/** Where an element sits: its FHIRPath, its short path for messages, the label of its first-level ancestor. */
export interface Where {
  path: string;
  short: string;
  top?: Text;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A code system as referents know it: `TRE_R30-RegionOM` rather than its canonical URL. */
const systemName = (system: string) => (system.includes('/NOS/') ? valueSetName(system) : system);

/** « de » + label, with the French contractions: de le → du, de les → des. */
export function de(label: string): string {
  if (label.startsWith('le ')) return `du ${label.slice(3)}`;
  if (label.startsWith('les ')) return `des ${label.slice(4)}`;
  return `de ${label}`;
}

function inFr(label: Text, where: Where): string {
  const ctx = where.top && where.top.fr !== label.fr ? ` dans ${where.top.fr}` : '';
  const short = where.short ? ` (${where.short})` : '';
  return `${ctx}${short}`;
}

function inEn(label: Text, where: Where): string {
  return where.top && where.top.en !== label.en ? ` in ${where.top.en}` : '';
}

function issue(severity: IssueSeverity, code: Issue['code'], fr: string, en: string, expression: string): Issue {
  return { severity, code, fr, en, expression };
}

export const VARIANT_NAMES: Record<OrgVariant, Text> = {
  EJ: { fr: 'entité juridique', en: 'legal entity' },
  EG: { fr: 'entité géographique', en: 'site' },
  OI: { fr: 'organisation interne', en: 'internal unit' },
};

export const msg = {
  required: (label: Text, where: Where, min: number, found: number) =>
    issue(
      'error',
      'required',
      `${cap(label.fr)} est obligatoire${inFr(label, where)}${min > 1 ? ` : au moins ${min} attendus, ${found} trouvé(s)` : ''}`,
      `${cap(label.en)}${inEn(label, where)} is required: minimum cardinality ${min}, found ${found}`,
      where.path,
    ),

  tooMany: (label: Text, where: Where, max: number, found: number) =>
    issue(
      'error',
      'structure',
      max === 0
        ? `${cap(label.fr)} ne doit pas être renseigné(e)${inFr(label, where)}`
        : `${cap(label.fr)} ne peut figurer ${max === 1 ? "qu'une seule fois" : `que ${max} fois au plus`}${inFr(label, where)} : ${found} occurrences trouvées`,
      `${cap(label.en)}${inEn(label, where)}: maximum cardinality ${max}, found ${found}`,
      where.path,
    ),

  wrongVariant: (label: Text, where: Where, variant: OrgVariant, allowed: OrgVariant[]) =>
    issue(
      'warning',
      'business-rule',
      `${cap(label.fr)} ne concerne que ${allowed.map((v) => `l'${VARIANT_NAMES[v].fr}`).join(' ou ')}, pas l'${VARIANT_NAMES[variant].fr}${inFr(label, where)}`,
      `${cap(label.en)} applies to ${allowed.map((v) => VARIANT_NAMES[v].en).join(' or ')} only, not to a ${VARIANT_NAMES[variant].en}`,
      where.path,
    ),

  codeNotInValueSet: (label: Text, where: Where, system: string | undefined, code: string, vsName: string, vsUrl: string) =>
    issue(
      'error',
      'code-invalid',
      `Le code « ${code} »${system ? ` (${systemName(system)})` : ''} n'appartient pas au jeu de valeurs ${vsName} attendu pour ${label.fr}${inFr(label, where)}`,
      `Code '${system ? `${system}|` : ''}${code}' of ${label.en} is not in the required value set ${vsName} (${vsUrl})`,
      where.path,
    ),

  noCode: (label: Text, where: Where, vsName: string) =>
    issue(
      'error',
      'code-invalid',
      `${cap(label.fr)} doit porter un code du jeu de valeurs ${vsName}${inFr(label, where)}`,
      `${cap(label.en)} has no code; a code from the required value set ${vsName} is expected`,
      where.path,
    ),

  retiredCode: (label: Text, where: Where, code: string, display: string, vsName: string) =>
    issue(
      'warning',
      'code-invalid',
      `Le code « ${code} » (${display}) ${de(label.fr)} est obsolète dans la nomenclature ${vsName} : il reste accepté mais doit être remplacé${inFr(label, where)}`,
      `Code '${code}' (${display}) of ${label.en} is retired in ${vsName}: accepted, but should be replaced`,
      where.path,
    ),

  valueSetNotLoaded: (label: Text, where: Where, vsName: string) =>
    issue(
      'information',
      'informational',
      `Le code ${de(label.fr)} n'a pas pu être vérifié : le jeu de valeurs ${vsName} n'est pas chargé`,
      `Code of ${label.en} not checked: value set ${vsName} is not loaded`,
      where.path,
    ),

  fixedValue: (label: Text, where: Where, expected: unknown, actual: unknown) =>
    issue(
      'error',
      'value',
      `${cap(label.fr)} doit valoir « ${show(expected)} » et non « ${show(actual)} »${inFr(label, where)}`,
      `${cap(label.en)} must be ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`,
      where.path,
    ),

  patternValue: (label: Text, where: Where, expected: unknown) =>
    issue(
      'error',
      'value',
      `${cap(label.fr)} doit correspondre à « ${show(expected)} »${inFr(label, where)}`,
      `${cap(label.en)} must match the pattern ${JSON.stringify(expected)}`,
      where.path,
    ),

  wrongType: (label: Text, where: Where, expected: string[], foundKey: string) =>
    issue(
      'error',
      'structure',
      `${cap(label.fr)} doit être de type ${expected.join(' ou ')}, et non « ${foundKey} »${inFr(label, where)}`,
      `${cap(label.en)} must be of type ${expected.join(' | ')}, found '${foundKey}'`,
      where.path,
    ),

  valueForbidden: (label: Text, where: Where, key: string) =>
    issue(
      'error',
      'structure',
      `${cap(label.fr)} est une extension composée : elle ne porte pas de valeur directe (${key})${inFr(label, where)}`,
      `${cap(label.en)} is a complex extension: value[x] is not allowed (found '${key}')`,
      where.path,
    ),

  unmatchedSlice: (severity: IssueSeverity, label: Text, where: Where, system: string | undefined, code: string | undefined) =>
    issue(
      severity,
      severity === 'error' ? 'code-invalid' : 'business-rule',
      `Le code « ${code ?? ''} »${system ? ` (${systemName(system)})` : ''} ne correspond à aucune des nomenclatures attendues pour ${label.fr}${inFr(label, where)}`,
      `Code '${system ? `${system}|` : ''}${code ?? ''}' of ${label.en} matches none of the expected code systems`,
      where.path,
    ),

  invariant: (severity: IssueSeverity, fr: string, en: string, where: Where) => issue(severity, 'invariant', fr, en, where.path),
};

function show(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  const codings = (v as { coding?: { system?: string; code?: string }[] })?.coding;
  if (Array.isArray(codings)) return codings.map((c) => `${c.system ?? ''}|${c.code ?? ''}`).join(', ');
  return JSON.stringify(v);
}
