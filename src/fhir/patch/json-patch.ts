/**
 * JSON Patch (RFC 6902, `application/json-patch+json`) on a FHIR resource, with fast-json-patch. Operations are
 * checked one by one so that each error names the operation at fault; `test` is supported; a patch may not change
 * `resourceType` or `id`.
 */
import jsonpatch, { type Operation } from 'fast-json-patch';
import type { Resource } from '../types.ts';
import { FhirError, fhirError, type IssueCode } from '../outcome.ts';
import { MAX_OPERATIONS } from './parameters.ts';

export type JsonPatchOperation = Operation;

// A CommonJS package: Node exposes its exports as the default import only.
const { applyOperation, JsonPatchError } = jsonpatch;

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * FHIRPath-like location of a JSON pointer in the resource, for OperationOutcome.issue.expression:
 * `/address/line/0` on a Location → `Location.address.line[0]`.
 */
export function pointerToExpression(resourceType: string, pointer: string): string {
  if (!pointer.startsWith('/')) return resourceType;
  let out = resourceType;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : `.${seg}`;
  }
  return out;
}

/** Applies a JSON Patch and returns the patched copy; the input is left untouched. Errors: FhirError 400 / 422. */
export function applyJsonPatch(resource: Resource, operations: unknown): Resource {
  const type = resource.resourceType;
  if (!Array.isArray(operations)) {
    throw fhirError(400, 'invalid', 'Un JSON Patch doit être une liste d\'opérations',
      'A JSON Patch must be an array of operations', type);
  }
  if (operations.length > MAX_OPERATIONS) {
    throw fhirError(400, 'too-long', `Un patch est limité à ${MAX_OPERATIONS} opérations (reçu : ${operations.length})`,
      `A patch is limited to ${MAX_OPERATIONS} operations (got ${operations.length})`, type);
  }
  let doc: unknown = structuredClone(resource);
  // Values are inserted by reference: copy them so later operations cannot alter the caller's patch.
  (structuredClone(operations) as unknown[]).forEach((op, i) => {
    checkShape(op, i, type);
    const operation = op as Operation;
    const label = `n° ${i + 1} (${operation.op} ${operation.path})`;
    const at = pointerToExpression(type, operation.path);
    try {
      doc = applyOperation(doc, operation, true, true, true, i).newDocument;
    } catch (e) {
      const from = e instanceof JsonPatchError && e.name === 'OPERATION_FROM_UNRESOLVABLE' && 'from' in operation
        ? pointerToExpression(type, operation.from) : at;
      throw translate(e, label, `#${i} (${operation.op} ${operation.path})`, from);
    }
    if (!isObject(doc) || doc.resourceType !== resource.resourceType || doc.id !== resource.id) {
      throw fhirError(422, 'processing',
        `Opération JSON Patch ${label} : un patch ne peut changer ni le type ni l'identifiant (id) de la ressource`,
        `JSON Patch operation #${i} (${operation.op} ${operation.path}): a patch cannot change the resource type or id`,
        at);
    }
  });
  return doc as Resource;
}

/** Structure of one operation (RFC 6902 §4), checked here for messages that say which member is wrong. */
function checkShape(op: unknown, i: number, type: string): void {
  const bad = (fr: string, en: string) =>
    fhirError(400, 'invalid', `Opération JSON Patch n° ${i + 1} : ${fr}`, `JSON Patch operation #${i}: ${en}`, type);
  if (!isObject(op)) throw bad('ce n\'est pas un objet', 'not an object');
  if (typeof op.op !== 'string' || !OPS.has(op.op)) {
    throw bad(`« op » doit valoir add, remove, replace, move, copy ou test (reçu : ${JSON.stringify(op.op)})`,
      `"op" must be add, remove, replace, move, copy or test (got ${JSON.stringify(op.op)})`);
  }
  const pointer = (v: unknown) => typeof v === 'string' && (v === '' || v.startsWith('/'));
  if (!pointer(op.path)) {
    throw bad('« path » doit être un pointeur JSON (commençant par /)', '"path" must be a JSON pointer (starting with /)');
  }
  if ((op.op === 'move' || op.op === 'copy') && !pointer(op.from)) {
    throw bad(`« from » (pointeur JSON) est obligatoire pour ${op.op}`, `"from" (a JSON pointer) is required for ${op.op}`);
  }
  if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !('value' in op)) {
    throw bad(`« value » est obligatoire pour ${op.op}`, `"value" is required for ${op.op}`);
  }
}

const MESSAGES: Record<string, { status: number; code: IssueCode; fr: string; en: string }> = {
  OPERATION_PATH_UNRESOLVABLE: { status: 422, code: 'not-found', fr: 'le chemin ne désigne aucun élément', en: 'the path matches no element' },
  OPERATION_FROM_UNRESOLVABLE: { status: 422, code: 'not-found', fr: '« from » ne désigne aucun élément', en: '"from" matches no element' },
  OPERATION_PATH_CANNOT_ADD: { status: 422, code: 'processing', fr: 'l\'élément parent n\'existe pas', en: 'the parent element does not exist' },
  OPERATION_PATH_ILLEGAL_ARRAY_INDEX: { status: 422, code: 'processing', fr: 'index de liste invalide', en: 'illegal array index' },
  OPERATION_VALUE_OUT_OF_BOUNDS: { status: 422, code: 'processing', fr: 'index hors de la liste', en: 'index out of the array bounds' },
  TEST_OPERATION_FAILED: { status: 422, code: 'processing', fr: 'le test a échoué : la valeur actuelle diffère', en: 'test failed: the current value differs' },
  OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED: { status: 400, code: 'invalid', fr: 'valeur invalide', en: 'invalid value' },
};

function translate(e: unknown, labelFr: string, labelEn: string, at: string): FhirError {
  if (e instanceof JsonPatchError) {
    const m = MESSAGES[e.name] ?? { status: 400, code: 'invalid' as IssueCode, fr: 'opération invalide', en: e.message.split('\n')[0] };
    return fhirError(m.status, m.code, `Opération JSON Patch ${labelFr} : ${m.fr}`, `JSON Patch operation ${labelEn}: ${m.en}`, at);
  }
  // fast-json-patch refuses __proto__ / constructor paths with a TypeError.
  if (!(e instanceof TypeError && e.message.startsWith('JSON-Patch'))) throw e;
  return fhirError(400, 'invalid', `Opération JSON Patch ${labelFr} : chemin interdit`,
    `JSON Patch operation ${labelEn}: forbidden path`, at);
}
