/**
 * Reading a FHIRPath Patch `Parameters` resource: the operations it holds, and the values they carry, given as
 * `value[x]` (a typed value) or as nested `part`s (an element without a FHIR type of its own, e.g. an extension
 * with its url, sub-extensions and value).
 */
import type { Resource } from '../types.ts';
import { FhirError, fhirError } from '../outcome.ts';
import {
  childInfo, isAssignable, isPrimitiveType, splitChoiceName, suffixOfType, typeOfSuffix, type ElementInfo,
} from './fhir-model.ts';

export interface ParametersPart {
  name?: string;
  part?: ParametersPart[];
  resource?: Resource;
  [valueKey: string]: unknown;
}

export interface Parameters extends Resource {
  resourceType: 'Parameters';
  parameter?: ParametersPart[];
}

export type PatchOperationType = 'add' | 'insert' | 'delete' | 'replace' | 'move';

/** A value to put into the resource: its JSON, the `_` sibling of a primitive, and its FHIR type when stated. */
export interface PatchValue {
  json: unknown;
  /** Extensions / id of a primitive value (the `_valueString` of the parameter). */
  primitiveElement?: Record<string, unknown>;
  /** FHIR type (`string`, `Reference`…); null for a value built from parts (anonymous type). */
  type: string | null;
  /** The parameter part holding the value, kept to rebuild it once the target element is known. */
  source: ParametersPart;
}

export interface PatchOperation {
  /** Position in `Parameters.parameter`, for error locations. */
  index: number;
  type: PatchOperationType;
  path: string;
  name?: string;
  value?: PatchValue;
  listIndex?: number;
  source?: number;
  destination?: number;
}

const OPERATION_TYPES: readonly PatchOperationType[] = ['add', 'insert', 'delete', 'replace', 'move'];

/** Which parts each operation type needs (besides `type` and `path`). */
const REQUIRED_PARTS: Record<PatchOperationType, readonly string[]> = {
  add: ['name', 'value'],
  insert: ['value', 'index'],
  delete: [],
  replace: ['value'],
  move: ['source', 'destination'],
};

/** Bounds that keep one request from occupying the server (a capacity update is a handful of operations). */
export const MAX_OPERATIONS = 1000;
export const MAX_PATH_LENGTH = 4000;

const KNOWN_PARTS = new Set(['type', 'path', 'name', 'value', 'index', 'source', 'destination']);

export function where(i: number): string {
  return `Parameters.parameter[${i}]`;
}

/** A malformed patch document: 400. */
export function malformed(i: number | null, fr: string, en: string): FhirError {
  return fhirError(400, 'invalid', fr, en, i === null ? 'Parameters' : where(i));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The `value[x]` keys of a part (not `_valueX`). */
function valueKeys(part: ParametersPart): string[] {
  return Object.keys(part).filter((k) => /^value[A-Z]/.test(k));
}

/** Parses and checks the structure of every operation; throws 400 on the first malformed one. */
export function readOperations(patch: unknown): PatchOperation[] {
  if (!isObject(patch) || patch.resourceType !== 'Parameters') {
    throw malformed(null,
      'Le corps d\'un PATCH FHIRPath doit être une ressource Parameters',
      'A FHIRPath Patch body must be a Parameters resource');
  }
  const params = patch.parameter;
  if (params === undefined) return [];
  if (!Array.isArray(params)) {
    throw malformed(null, 'Parameters.parameter doit être une liste', 'Parameters.parameter must be an array');
  }
  if (params.length > MAX_OPERATIONS) {
    throw fhirError(400, 'too-long', `Un patch est limité à ${MAX_OPERATIONS} opérations (reçu : ${params.length})`,
      `A patch is limited to ${MAX_OPERATIONS} operations (got ${params.length})`, 'Parameters');
  }
  return params.map((p, i) => readOperation(p, i));
}

function readOperation(param: unknown, i: number): PatchOperation {
  if (!isObject(param) || param.name !== 'operation') {
    throw malformed(i,
      'Chaque paramètre d\'un PATCH FHIRPath doit s\'appeler « operation »',
      'Each parameter of a FHIRPath Patch must be named "operation"');
  }
  const parts = param.part;
  if (!Array.isArray(parts) || parts.length === 0) {
    throw malformed(i, 'L\'opération n\'a aucune partie (type, path…)', 'The operation has no parts (type, path…)');
  }
  const byName = new Map<string, ParametersPart>();
  for (const part of parts as unknown[]) {
    if (!isObject(part) || typeof part.name !== 'string') {
      throw malformed(i, 'Chaque partie de l\'opération doit avoir un nom', 'Each part of the operation must have a name');
    }
    if (!KNOWN_PARTS.has(part.name)) {
      throw malformed(i,
        `Partie inconnue « ${part.name} » (attendu : type, path, name, value, index, source, destination)`,
        `Unknown part "${part.name}" (expected type, path, name, value, index, source, destination)`);
    }
    if (byName.has(part.name)) {
      throw malformed(i, `La partie « ${part.name} » est répétée`, `Part "${part.name}" is repeated`);
    }
    byName.set(part.name, part as ParametersPart);
  }

  const typePart = byName.get('type');
  const type = typePart && (typePart.valueCode ?? typePart.valueString);
  if (typeof type !== 'string') {
    throw malformed(i, 'Le type de l\'opération (partie « type », valueCode) est obligatoire',
      'The operation type (part "type", valueCode) is required');
  }
  if (!(OPERATION_TYPES as readonly string[]).includes(type)) {
    throw malformed(i,
      `Type d'opération inconnu « ${type} » (attendu : add, insert, delete, replace, move)`,
      `Unknown operation type "${type}" (expected add, insert, delete, replace, move)`);
  }
  const opType = type as PatchOperationType;
  const path = byName.get('path')?.valueString;
  if (typeof path !== 'string' || path.trim() === '') {
    throw malformed(i, 'Le chemin FHIRPath (partie « path », valueString) est obligatoire',
      'The FHIRPath path (part "path", valueString) is required');
  }
  if (path.length > MAX_PATH_LENGTH) {
    throw malformed(i, `Le chemin FHIRPath dépasse ${MAX_PATH_LENGTH} caractères`, `The FHIRPath path exceeds ${MAX_PATH_LENGTH} characters`);
  }
  for (const needed of REQUIRED_PARTS[opType]) {
    if (!byName.has(needed)) {
      throw malformed(i, `L'opération ${opType} exige la partie « ${needed} »`,
        `Operation ${opType} requires part "${needed}"`);
    }
  }
  for (const present of byName.keys()) {
    if (present !== 'type' && present !== 'path' && !REQUIRED_PARTS[opType].includes(present)) {
      throw malformed(i, `La partie « ${present} » n'a pas de sens pour l'opération ${opType}`,
        `Part "${present}" does not apply to operation ${opType}`);
    }
  }

  const op: PatchOperation = { index: i, type: opType, path };
  const namePart = byName.get('name');
  if (namePart) {
    if (typeof namePart.valueString !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(namePart.valueString)) {
      throw malformed(i, 'La partie « name » doit donner le nom d\'un élément (valueString)',
        'Part "name" must give an element name (valueString)');
    }
    op.name = namePart.valueString;
  }
  const valuePart = byName.get('value');
  if (valuePart) op.value = readValue(valuePart, i);
  for (const key of ['index', 'source', 'destination'] as const) {
    const part = byName.get(key);
    if (!part) continue;
    const n = part.valueInteger ?? part.valueUnsignedInt ?? part.valuePositiveInt;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      throw malformed(i, `La partie « ${key} » doit être un entier positif ou nul (valueInteger)`,
        `Part "${key}" must be a non-negative integer (valueInteger)`);
    }
    if (key === 'index') op.listIndex = n;
    else op[key] = n;
  }
  return op;
}

/** Reads the `value` part: a `value[x]`, a `resource`, or nested parts. The JSON is built later, once its target type is known. */
function readValue(part: ParametersPart, i: number): PatchValue {
  const keys = valueKeys(part);
  const hasParts = Array.isArray(part.part) && part.part.length > 0;
  const sources = keys.length + (hasParts ? 1 : 0) + (part.resource !== undefined ? 1 : 0);
  if (sources === 0) {
    throw malformed(i, 'La partie « value » ne porte aucune valeur (value[x], resource ou part)',
      'Part "value" carries no value (value[x], resource or part)');
  }
  if (sources > 1) {
    throw malformed(i, 'La partie « value » porte plusieurs valeurs', 'Part "value" carries several values');
  }
  if (part.resource !== undefined) {
    if (!isObject(part.resource) || typeof part.resource.resourceType !== 'string') {
      throw malformed(i, 'La valeur « resource » doit être une ressource FHIR', 'The "resource" value must be a FHIR resource');
    }
    return { json: structuredClone(part.resource), type: 'Resource', source: part };
  }
  if (hasParts) return { json: null, type: null, source: part };
  return readTyped(part, keys[0], i);
}

/** A `valueX` entry: checks the type name and that the JSON has the shape of that type. */
function readTyped(part: ParametersPart, key: string, i: number): PatchValue {
  const suffix = key.slice('value'.length);
  const type = typeOfSuffix(suffix);
  if (!type) {
    throw malformed(i, `Type de valeur inconnu « ${key} »`, `Unknown value type "${key}"`);
  }
  const json = part[key];
  if (!hasShapeOf(type, json)) {
    throw malformed(i, `La valeur ${key} n'a pas la forme attendue pour le type ${type}`,
      `Value ${key} does not have the shape of type ${type}`);
  }
  const ext = part[`_${key}`];
  return {
    json: structuredClone(json),
    ...(isObject(ext) ? { primitiveElement: structuredClone(ext) } : {}),
    type,
    source: part,
  };
}

function hasShapeOf(type: string, json: unknown): boolean {
  switch (type) {
    case 'boolean': return typeof json === 'boolean';
    case 'integer': case 'unsignedInt': case 'positiveInt':
      return typeof json === 'number' && Number.isInteger(json)
        && (type === 'integer' || json >= (type === 'positiveInt' ? 1 : 0));
    case 'decimal': return typeof json === 'number' && Number.isFinite(json);
    default: return isPrimitiveType(type) ? typeof json === 'string' : isObject(json);
  }
}

/** A value cannot go where it is aimed: wrong type, unknown element… (422, the patch is well formed). */
export function unprocessable(i: number, fr: string, en: string, code: 'processing' | 'multiple-matches' | 'not-found' = 'processing'): FhirError {
  return fhirError(422, code, fr, en, where(i));
}

/**
 * Builds the JSON of `value` for the element `target` (described by the model), and the JSON key it takes there
 * (`value` + type suffix for a choice element). Checks the type.
 */
export function valueFor(
  value: PatchValue, target: ElementInfo, name: string, i: number,
): { key: string; json: unknown; primitiveElement?: Record<string, unknown> } {
  if (target.choiceSuffixes) {
    if (value.type === null || value.type === 'Resource') {
      throw unprocessable(i, `L'élément ${name}[x] attend une valeur typée (value[x])`,
        `Element ${name}[x] expects a typed value (value[x])`);
    }
    const suffix = suffixOfType(value.type);
    if (!target.choiceSuffixes.includes(suffix)) {
      throw unprocessable(i, `Le type ${value.type} n'est pas permis pour ${name}[x]`,
        `Type ${value.type} is not allowed for ${name}[x]`);
    }
    return { key: name + suffix, json: value.json, primitiveElement: value.primitiveElement };
  }
  if (value.type === null) {
    if (isPrimitiveType(target.type)) {
      throw unprocessable(i, `L'élément ${name} est de type ${target.type} : donnez une valeur typée, pas des parties`,
        `Element ${name} has type ${target.type}: give a typed value, not parts`);
    }
    return { key: name, json: buildFromParts(value.source.part ?? [], target.modelPath, i) };
  }
  if (value.type === 'Resource') {
    if (target.type !== null && target.type !== 'Resource') {
      throw unprocessable(i, `L'élément ${name} n'attend pas une ressource`, `Element ${name} does not take a resource`);
    }
    return { key: name, json: value.json };
  }
  if (target.type === 'Element' || target.type === 'BackboneElement') {
    throw unprocessable(i, `L'élément ${name} n'a pas de type nommé : donnez sa valeur sous forme de parties`,
      `Element ${name} has no named type: give its value as parts`);
  }
  if (!isAssignable(value.type, target.type)) {
    throw unprocessable(i, `Type incorrect pour ${name} : ${target.type} attendu, ${value.type} reçu`,
      `Wrong type for ${name}: expected ${target.type}, got ${value.type}`);
  }
  return { key: name, json: value.json, primitiveElement: value.primitiveElement };
}

/** An element given as parts (name → value[x] or nested parts), e.g. an extension with its sub-extensions. */
function buildFromParts(parts: ParametersPart[], modelPath: string | null, i: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of parts) {
    if (!isObject(part) || typeof part.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(part.name)) {
      throw malformed(i, 'Chaque partie d\'une valeur doit avoir un nom d\'élément', 'Each part of a value must have an element name');
    }
    let name = part.name;
    let info = childInfo(modelPath, name);
    const value = readValue(part, i);
    if (!info.known) {
      const split = splitChoiceName(modelPath, name);
      if (!split) {
        throw unprocessable(i, `Élément inconnu « ${name} » dans ${modelPath}`, `Unknown element "${name}" in ${modelPath}`);
      }
      if (value.type !== split.type) {
        throw unprocessable(i, `La partie ${name} porte une valeur de type ${value.type ?? 'anonyme'}`,
          `Part ${name} carries a value of type ${value.type ?? 'anonymous'}`);
      }
      name = split.base;
      info = split.info;
    }
    const built = valueFor(value, info, name, i);
    if (info.repeating) {
      const list = (out[built.key] ??= []) as unknown[];
      list.push(built.json);
      if (built.primitiveElement) {
        const ext = (out[`_${built.key}`] ??= []) as unknown[];
        while (ext.length < list.length - 1) ext.push(null);
        ext.push(built.primitiveElement);
      }
    } else if (built.key in out && modelPath === null) {
      // Outside the model a repeated name can only mean a list.
      const prev = out[built.key];
      out[built.key] = Array.isArray(prev) ? [...prev, built.json] : [prev, built.json];
    } else {
      if (built.key in out) {
        throw malformed(i, `L'élément ${name} ne peut avoir qu'une valeur`, `Element ${name} takes a single value`);
      }
      out[built.key] = built.json;
      if (built.primitiveElement) out[`_${built.key}`] = built.primitiveElement;
    }
  }
  return out;
}
