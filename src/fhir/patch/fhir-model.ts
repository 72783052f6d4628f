/**
 * What the FHIR R4 model (as shipped with the fhirpath library) says about an element: its type, whether it
 * repeats, whether it is a choice `[x]`. Patch operations need this to know if `add` appends to a list or sets a
 * single value, which JSON key a choice element takes, and whether a value has the right type.
 */
import r4 from 'fhirpath/fhir-context/r4';

/** R4 primitive types (their JSON value is a string, number or boolean and extensions go in `_name`). */
export const PRIMITIVE_TYPES: ReadonlySet<string> = new Set([
  'base64Binary', 'boolean', 'canonical', 'code', 'date', 'dateTime', 'decimal', 'id', 'instant', 'integer',
  'markdown', 'oid', 'positiveInt', 'string', 'time', 'unsignedInt', 'uri', 'url', 'uuid', 'xhtml',
]);

const STRING_LIKE: ReadonlySet<string> = new Set([
  'string', 'code', 'id', 'markdown', 'uri', 'url', 'canonical', 'oid', 'uuid', 'base64Binary',
  'date', 'dateTime', 'instant', 'time',
]);

/**
 * The types a `value[x]` may carry (R4 open types), by JSON suffix (`String`, `CodeableConcept`…). The model's
 * choice list for `Extension.value` is exactly that list.
 */
const OPEN_TYPE_SUFFIXES: readonly string[] = r4.choiceTypePaths['Extension.value'] ?? [];

/** FHIR type name for a JSON suffix: `String` → `string`, `CodeableConcept` → `CodeableConcept`; null if unknown. */
export function typeOfSuffix(suffix: string): string | null {
  if (!OPEN_TYPE_SUFFIXES.includes(suffix)) return null;
  const lower = suffix.charAt(0).toLowerCase() + suffix.slice(1);
  return PRIMITIVE_TYPES.has(lower) ? lower : suffix;
}

/** JSON suffix of a type name: `string` → `String`. */
export function suffixOfType(type: string): string {
  return type.charAt(0).toUpperCase() + type.slice(1);
}

export interface ElementInfo {
  /** Model path used to look up the element's own children (`Extension`, `HealthcareService.availableTime`); null when unknown. */
  modelPath: string | null;
  /** Declared type (`Reference`, `string`, `BackboneElement`, `System.String`…); null for a choice or an unknown element. */
  type: string | null;
  repeating: boolean;
  /** For a choice element `value[x]`: the allowed JSON suffixes. */
  choiceSuffixes: readonly string[] | null;
  /** False when the model describes the parent and has no such child (an unknown element name). */
  known: boolean;
}

const UNKNOWN: ElementInfo = { modelPath: null, type: null, repeating: false, choiceSuffixes: null, known: false };

function lookup(path: string): ElementInfo | null {
  const p = r4.pathsDefinedElsewhere[path] ?? path;
  const choice = r4.choiceTypePaths[p];
  if (choice) return { modelPath: null, type: null, repeating: false, choiceSuffixes: choice, known: true };
  const type = r4.path2Type[p] as string | undefined;
  if (type === undefined) return null;
  return {
    modelPath: r4.path2TypeWithoutElements[p] ?? p,
    type,
    repeating: Boolean(r4.path2Repeating[p]),
    choiceSuffixes: null,
    known: true,
  };
}

/**
 * Describes child `name` of an element whose model path is `parentPath` (a type name such as `Address`, a
 * resource type, or a backbone element path). Walks up the type hierarchy (`Age` → `Quantity`) and falls back
 * on what every element has (`id`, `extension`).
 */
export function childInfo(parentPath: string | null, name: string): ElementInfo {
  // Under an element the model does not describe, nothing can be judged.
  if (!parentPath) return { ...UNKNOWN, known: true };
  if (PRIMITIVE_TYPES.has(parentPath) || parentPath.startsWith('System.')) {
    if (name === 'extension') return { modelPath: 'Extension', type: 'Extension', repeating: true, choiceSuffixes: null, known: true };
    if (name === 'id') return { modelPath: 'System.String', type: 'System.String', repeating: false, choiceSuffixes: null, known: true };
    return { ...UNKNOWN, modelPath: null, known: false };
  }
  for (let p: string | undefined = parentPath; p; p = r4.type2Parent[p]) {
    const found = lookup(`${p}.${name}`);
    if (found) return found;
  }
  if (name === 'extension' || name === 'modifierExtension') {
    return { modelPath: 'Extension', type: 'Extension', repeating: true, choiceSuffixes: null, known: true };
  }
  if (name === 'id') return { modelPath: 'System.String', type: 'System.String', repeating: false, choiceSuffixes: null, known: true };
  // A parent the model does not describe (e.g. a resource type missing from it): no judgement possible.
  return isModelled(parentPath) ? { ...UNKNOWN, known: false } : { ...UNKNOWN, known: true };
}

/** Does the model describe elements under this path? */
function isModelled(path: string): boolean {
  return r4.path2Type[`${path}.id`] !== undefined || r4.path2Type[`${path}.extension`] !== undefined
    || r4.type2Parent[path] !== undefined;
}

/**
 * Splits a name that already carries its choice suffix (`valueBoolean`) into the choice base and the type,
 * when `parentPath` has such a choice element.
 */
export function splitChoiceName(parentPath: string | null, name: string): { base: string; info: ElementInfo; type: string } | null {
  if (!parentPath) return null;
  for (let i = 1; i < name.length; i++) {
    const c = name.charAt(i);
    if (c < 'A' || c > 'Z') continue;
    const base = name.slice(0, i);
    const info = childInfo(parentPath, base);
    const suffix = name.slice(i);
    if (info.choiceSuffixes?.includes(suffix)) return { base, info, type: typeOfSuffix(suffix) ?? suffix };
  }
  return null;
}

/** Is a value of type `valueType` acceptable where `expected` is declared? (Same type or a specialisation of it.) */
export function isAssignable(valueType: string, expected: string | null): boolean {
  if (!expected) return true;
  if (expected === 'System.String') return STRING_LIKE.has(valueType);
  if (expected === 'System.Boolean') return valueType === 'boolean';
  if (expected === 'System.Integer') return valueType === 'integer';
  // Narrative.div: XHTML has no value[x] type of its own and travels as a string.
  if (expected === 'xhtml') return valueType === 'string';
  for (let t: string | undefined = valueType; t; t = r4.type2Parent[t]) {
    if (t === expected) return true;
  }
  return false;
}

/** Is this declared type one whose values are plain JSON primitives? */
export function isPrimitiveType(type: string | null): boolean {
  return type !== null && (PRIMITIVE_TYPES.has(type) || type.startsWith('System.'));
}
