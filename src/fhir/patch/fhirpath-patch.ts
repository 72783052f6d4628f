/**
 * FHIRPath Patch (FHIR R4 `fhirpatch`): applies the add / insert / delete / replace / move operations of a
 * `Parameters` resource to a resource. Paths are evaluated with the fhirpath library on a working copy; its
 * internal nodes (kept with `resolveInternalTypes: false`) link each result to its parent, property name and list
 * index, which tells where in the JSON to make the change — for objects, primitives and the `_name` siblings that
 * hold a primitive's extensions alike.
 */
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import type { Resource } from '../types.ts';
import { fhirError } from '../outcome.ts';
import { childInfo, splitChoiceName, type ElementInfo } from './fhir-model.ts';
import {
  malformed, readOperations, unprocessable, valueFor, where,
  type PatchOperation, type PatchValue,
} from './parameters.ts';

export type { Parameters, ParametersPart, PatchOperation } from './parameters.ts';

type Json = Record<string, unknown>;

/** The part of fhirpath's ResourceNode we rely on. */
interface FpNode {
  parentResNode: FpNode | null;
  path: string | null;
  propName?: string | null;
  index?: number | null;
  data: unknown;
  _data: Json | null;
}

/** Where an element sits in the JSON: `container[key]`, or `container[key][index]` in a list. */
interface Slot {
  container: Json;
  key: string;
  index: number | null;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

function isNode(v: unknown): v is FpNode {
  return typeof v === 'object' && v !== null && 'parentResNode' in v && 'data' in v && '_data' in v;
}

/**
 * Applies a FHIRPath Patch to a resource and returns the patched copy (the input is left untouched).
 * Throws FhirError 400 for a malformed patch, 422 when an operation cannot be applied to this resource.
 */
export function applyFhirPathPatch(resource: Resource, patch: unknown): Resource {
  const operations = readOperations(patch);
  const working = structuredClone(resource) as Json;
  for (const op of operations) {
    applyOperation(working, op);
    prune(working);
    if (working.resourceType !== resource.resourceType || working.id !== resource.id) {
      throw unprocessable(op.index,
        'Un patch ne peut changer ni le type ni l\'identifiant (id) de la ressource',
        'A patch cannot change the resource type or id');
    }
  }
  return working as Resource;
}

function applyOperation(working: Json, op: PatchOperation): void {
  switch (op.type) {
    case 'add': return add(working, op);
    case 'insert': return insert(working, op);
    case 'delete': return remove(working, op);
    case 'replace': return replace(working, op);
    case 'move': return move(working, op);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluating paths

type Compiled = (resource: unknown, env?: Record<string, unknown>) => unknown;

/** Compiled paths: clients send the same few paths again and again, and parsing costs more than evaluating. */
const compiled = new Map<string, Compiled>();
const COMPILED_MAX = 1000;

/**
 * Compiles a path (syntax errors are 400). `Narrative.div` clashes with the `div` operator: clients (and the FHIR
 * test cases) write `Patient.text.div`, which the grammar only accepts as ``Patient.text.`div` ``, so it is
 * escaped for them.
 */
function compilePath(path: string, i: number): Compiled {
  const cached = compiled.get(path);
  if (cached) return cached;
  const candidates = [path, path.replace(/\.div\b(?!\s*\()/g, '.`div`')];
  let error: unknown;
  for (const candidate of candidates) {
    try {
      const fn = fhirpath.compile(candidate, r4, { resolveInternalTypes: false }) as Compiled;
      if (compiled.size >= COMPILED_MAX) compiled.delete(compiled.keys().next().value!);
      compiled.set(path, fn);
      return fn;
    } catch (e) {
      error ??= e;
    }
  }
  // The parser's own messages (line, column, what it expected) help; internal failures do not.
  const detail = error instanceof TypeError ? '' : ` : ${firstLine(error)}`;
  throw malformed(i, `Chemin FHIRPath invalide « ${path} »${detail}`, `Invalid FHIRPath "${path}"${detail.replace(' :', ':')}`);
}

function evaluate(working: Json, path: string, i: number): FpNode[] {
  const fn = compilePath(path, i);
  let result: unknown;
  try {
    result = fn(working, {});
  } catch (e) {
    throw unprocessable(i, `Le chemin « ${path} » ne peut pas être évalué : ${firstLine(e)}`,
      `Path "${path}" cannot be evaluated: ${firstLine(e)}`);
  }
  if (!Array.isArray(result)) {
    throw unprocessable(i, `Le chemin « ${path} » ne peut pas être évalué`, `Path "${path}" cannot be evaluated`);
  }
  return result.map((item) => {
    if (!isNode(item) || rootOf(item).data !== working) {
      throw unprocessable(i,
        `Le chemin « ${path} » doit désigner des éléments de la ressource modifiée, pas des valeurs calculées`,
        `Path "${path}" must designate elements of the patched resource, not computed values`);
    }
    return item;
  });
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0].slice(0, 200);
}

function rootOf(node: FpNode): FpNode {
  let n = node;
  while (n.parentResNode) n = n.parentResNode;
  return n;
}

/** The one element a path must designate (add, replace). */
function single(nodes: FpNode[], op: PatchOperation): FpNode {
  if (nodes.length === 0) {
    throw unprocessable(op.index, `Le chemin « ${op.path} » ne désigne aucun élément`,
      `Path "${op.path}" matches no element`, 'not-found');
  }
  if (nodes.length > 1) {
    throw unprocessable(op.index,
      `Le chemin « ${op.path} » désigne ${nodes.length} éléments, il doit en désigner un seul`,
      `Path "${op.path}" matches ${nodes.length} elements, it must match exactly one`, 'multiple-matches');
  }
  return nodes[0];
}

/** Model information about the element a node stands for, seen from its parent. */
function infoOf(node: FpNode): ElementInfo {
  return childInfo(node.parentResNode?.path ?? null, node.propName ?? '');
}

/** Locates a node in the JSON. Null for the resource itself. */
function slotOf(node: FpNode, i: number): Slot | null {
  const parent = node.parentResNode;
  if (!parent) return null;
  const name = node.propName ?? '';
  const info = infoOf(node);
  const keys = info.choiceSuffixes ? info.choiceSuffixes.map((s) => name + s) : [name];
  // A primitive's own children (id, extension) live in its `_name` object, which fhirpath keeps as `_data`.
  for (const container of [parent.data, parent._data]) {
    if (!isObject(container)) continue;
    for (const key of keys) {
      if (key in container || `_${key}` in container) {
        return { container, key, index: typeof node.index === 'number' ? node.index : null };
      }
    }
  }
  throw fhirError(500, 'exception', `Élément introuvable dans la ressource (${name})`,
    `Element not found in the resource JSON (${name})`, where(i));
}

// ---------------------------------------------------------------------------------------------------------------
// Changing the JSON (a primitive's value and its `_name` sibling move together)

/**
 * Sets the element at a slot. A primitive keeps its own id and extensions (its `_name` part) unless the new value
 * brings its own (`_valueString` in the parameter): replacing a street line keeps its ADXP house-number extensions.
 */
function setAt(slot: Slot, json: unknown, primitiveElement?: Json): void {
  const { container, key, index } = slot;
  if (index === null) {
    container[key] = json;
    if (primitiveElement) container[`_${key}`] = primitiveElement;
    else if (isObject(json)) delete container[`_${key}`];
    return;
  }
  const list = (Array.isArray(container[key]) ? container[key] : (container[key] = [])) as unknown[];
  while (list.length <= index) list.push(null);
  list[index] = json;
  if (primitiveElement) alignedExtensions(container, key)[index] = primitiveElement;
}

/** The `_name` list of a primitive list, created if needed and padded to the list's length. */
function alignedExtensions(container: Json, key: string): unknown[] {
  const list = Array.isArray(container[key]) ? (container[key] as unknown[]) : [];
  const ext = (Array.isArray(container[`_${key}`]) ? container[`_${key}`] : (container[`_${key}`] = [])) as unknown[];
  while (ext.length < list.length) ext.push(null);
  return ext;
}

function removeAt(slot: Slot): void {
  const { container, key, index } = slot;
  if (index === null) {
    delete container[key];
    delete container[`_${key}`];
    return;
  }
  for (const k of [key, `_${key}`]) {
    const list = container[k];
    if (Array.isArray(list) && index < list.length) list.splice(index, 1);
  }
}

function insertAt(container: Json, key: string, index: number, json: unknown, primitiveElement?: Json): void {
  const list = (Array.isArray(container[key]) ? container[key] : (container[key] = [])) as unknown[];
  const hadExtensions = Array.isArray(container[`_${key}`]);
  if (hadExtensions || primitiveElement) {
    const ext = alignedExtensions(container, key);
    ext.splice(index, 0, primitiveElement ?? null);
  }
  list.splice(index, 0, json);
}

/** The current length of a list, counting entries that only have a `_name` part. */
function listLength(container: Json, key: string): number {
  const list = container[key];
  const ext = container[`_${key}`];
  return Math.max(Array.isArray(list) ? list.length : 0, Array.isArray(ext) ? ext.length : 0);
}

/**
 * Removes what FHIR JSON forbids and deletions leave behind: empty objects and lists, null properties, `_name`
 * lists holding only nulls, nulls in lists that have no `_name` sibling.
 */
function prune(obj: Json): boolean {
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (Array.isArray(v)) {
      for (let j = 0; j < v.length; j++) {
        if (isObject(v[j]) && prune(v[j] as Json)) v[j] = k.startsWith('_') ? null : undefined;
      }
      if (!k.startsWith('_')) obj[k] = v.filter((x) => x !== undefined);
    } else if (isObject(v)) {
      if (prune(v)) delete obj[k];
    } else if (v === null || v === undefined) {
      delete obj[k];
    }
  }
  // `_name` lists first: whether they survive decides what nulls the `name` lists may keep.
  const keys = Object.keys(obj).sort((a, b) => Number(b.startsWith('_')) - Number(a.startsWith('_')));
  for (const k of keys) {
    const v = obj[k];
    if (!Array.isArray(v)) continue;
    if (k.startsWith('_')) {
      if (v.every((x) => x === null)) delete obj[k];
    } else if (!Array.isArray(obj[`_${k}`])) {
      const kept = v.filter((x) => x !== null);
      if (kept.length) obj[k] = kept;
      else delete obj[k];
    } else if (v.length === 0 && (obj[`_${k}`] as unknown[]).length === 0) {
      delete obj[k];
    }
  }
  return Object.keys(obj).length === 0;
}

// ---------------------------------------------------------------------------------------------------------------
// The operations

/** The JSON object that receives new children of a node: its own object, or a primitive's `_name` object. */
function childContainer(node: FpNode, i: number): Json {
  if (isObject(node.data)) return node.data;
  const slot = slotOf(node, i);
  if (!slot) throw fhirError(500, 'exception', 'Ressource sans contenu', 'Resource without content', where(i));
  if (slot.index === null) {
    const ext = slot.container[`_${slot.key}`];
    if (isObject(ext)) return ext;
    return (slot.container[`_${slot.key}`] = {});
  }
  const ext = alignedExtensions(slot.container, slot.key);
  if (isObject(ext[slot.index])) return ext[slot.index] as Json;
  return (ext[slot.index] = {}) as Json;
}

function requireValue(op: PatchOperation): PatchValue {
  if (!op.value) throw malformed(op.index, 'La partie « value » est obligatoire', 'Part "value" is required');
  return op.value;
}

function add(working: Json, op: PatchOperation): void {
  const target = single(evaluate(working, op.path, op.index), op);
  let name = op.name!;
  let info = childInfo(target.path, name);
  if (!info.known) {
    const split = splitChoiceName(target.path, name);
    if (!split) {
      throw unprocessable(op.index, `L'élément « ${name} » n'existe pas dans ${target.path}`,
        `Element "${name}" does not exist in ${target.path}`);
    }
    if (op.value?.type !== split.type) {
      throw unprocessable(op.index, `L'élément ${name} attend une valeur de type ${split.type}`,
        `Element ${name} expects a value of type ${split.type}`);
    }
    name = split.base;
    info = split.info;
  }
  const built = valueFor(requireValue(op), info, name, op.index);
  const container = childContainer(target, op.index);
  const existing = container[built.key];
  if (info.repeating || (info.type === null && Array.isArray(existing))) {
    insertAt(container, built.key, listLength(container, built.key), built.json, built.primitiveElement);
    return;
  }
  const choiceTaken = info.choiceSuffixes?.some((s) => `${name}${s}` in container || `_${name}${s}` in container);
  if (existing !== undefined || `_${built.key}` in container || choiceTaken) {
    throw unprocessable(op.index,
      `L'élément ${name} existe déjà et ne se répète pas : utilisez replace`,
      `Element ${name} already exists and does not repeat: use replace`);
  }
  container[built.key] = built.json;
  if (built.primitiveElement) container[`_${built.key}`] = built.primitiveElement;
}

/** The list a path designates (insert, move): its container, key, model info and length. */
function listOf(working: Json, op: PatchOperation): { container: Json; key: string; info: ElementInfo; length: number } {
  const nodes = evaluate(working, op.path, op.index);
  if (nodes.length === 0) {
    // An empty list: the path names it from its parent (`Location.telecom`).
    const m = /^(.+)\.([A-Za-z][A-Za-z0-9]*)$/.exec(op.path.trim());
    const parents = m ? evaluate(working, m[1], op.index) : [];
    if (!m || parents.length !== 1 || !isObject(parents[0].data)) {
      throw unprocessable(op.index, `Le chemin « ${op.path} » ne désigne aucune liste`,
        `Path "${op.path}" matches no list`, 'not-found');
    }
    const info = childInfo(parents[0].path, m[2]);
    if (!info.known || (info.type !== null && !info.repeating) || info.choiceSuffixes) {
      throw unprocessable(op.index, `« ${m[2]} » n'est pas une liste de ${parents[0].path}`,
        `"${m[2]}" is not a list of ${parents[0].path}`);
    }
    return { container: parents[0].data, key: m[2], info, length: 0 };
  }
  const first = nodes[0];
  const slot = slotOf(first, op.index);
  const sameList = nodes.every((n) => n.parentResNode === first.parentResNode && n.propName === first.propName
    && typeof n.index === 'number');
  if (!slot || !sameList || slot.index === null) {
    throw unprocessable(op.index, `Le chemin « ${op.path} » doit désigner une seule liste d'éléments`,
      `Path "${op.path}" must designate a single list of elements`);
  }
  return { container: slot.container, key: slot.key, info: infoOf(first), length: listLength(slot.container, slot.key) };
}

function insert(working: Json, op: PatchOperation): void {
  const list = listOf(working, op);
  const index = op.listIndex!;
  if (index > list.length) {
    throw unprocessable(op.index, `Index ${index} hors de la liste (${list.length} éléments)`,
      `Index ${index} is beyond the list (${list.length} elements)`);
  }
  const built = valueFor(requireValue(op), list.info, list.key, op.index);
  insertAt(list.container, list.key, index, built.json, built.primitiveElement);
}

function remove(working: Json, op: PatchOperation): void {
  const nodes = evaluate(working, op.path, op.index);
  if (nodes.length === 0) return; // deleting what is not there is not an error
  const node = single(nodes, op);
  const slot = slotOf(node, op.index);
  if (!slot) {
    throw unprocessable(op.index, 'Un patch ne peut pas supprimer la ressource elle-même',
      'A patch cannot delete the resource itself');
  }
  removeAt(slot);
}

function replace(working: Json, op: PatchOperation): void {
  const node = single(evaluate(working, op.path, op.index), op);
  const slot = slotOf(node, op.index);
  if (!slot) {
    throw unprocessable(op.index, 'Un patch ne peut pas remplacer la ressource entière : utilisez PUT',
      'A patch cannot replace the whole resource: use PUT');
  }
  const info = infoOf(node);
  const built = valueFor(requireValue(op), info, node.propName ?? slot.key, op.index);
  if (built.key !== slot.key) {
    // A choice element changing type (valueString → valueInteger): the JSON key changes.
    removeAt(slot);
    slot.container[built.key] = built.json;
    if (built.primitiveElement) slot.container[`_${built.key}`] = built.primitiveElement;
    return;
  }
  setAt(slot, built.json, built.primitiveElement);
}

function move(working: Json, op: PatchOperation): void {
  const list = listOf(working, op);
  const from = op.source!;
  const to = op.destination!;
  for (const [label, n] of [['source', from], ['destination', to]] as const) {
    if (n >= list.length) {
      throw unprocessable(op.index, `Index ${label} ${n} hors de la liste (${list.length} éléments)`,
        `${label} index ${n} is beyond the list (${list.length} elements)`);
    }
  }
  for (const k of [list.key, `_${list.key}`]) {
    const arr = list.container[k];
    if (!Array.isArray(arr)) continue;
    while (arr.length < list.length) arr.push(null);
    const [moved] = arr.splice(from, 1);
    arr.splice(to, 0, moved);
  }
}
