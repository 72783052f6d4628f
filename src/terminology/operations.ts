import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/database.ts';
import { errors, fhirError, type FhirError } from '../fhir/outcome.ts';
import { matchConcepts } from './concept-search.ts';
import { nosNameFromUrl } from './nos-files.ts';
import type { NosTerminology } from './nos-terminology.ts';

/**
 * The FHIR terminology operations as plain functions (the HTTP routes only translate parameters):
 * `ValueSet/$expand`, `ValueSet/$validate-code`, `CodeSystem/$lookup`. Results are FHIR R4 resources.
 */
export interface ParametersParameter {
  name: string;
  valueString?: string;
  valueBoolean?: boolean;
  valueCode?: string;
  valueCoding?: { system?: string; code: string; display?: string };
  valueDateTime?: string;
  part?: ParametersParameter[];
}

export interface Parameters {
  resourceType: 'Parameters';
  parameter: ParametersParameter[];
}

export interface ValueSetExpansion {
  resourceType: 'ValueSet';
  id?: string;
  url: string;
  version?: string;
  name: string;
  title?: string;
  status: 'active';
  expansion: {
    identifier: string;
    timestamp: string;
    total: number;
    offset: number;
    parameter: { name: string; valueString?: string; valueInteger?: number; valueBoolean?: boolean }[];
    extension?: { url: string; valueBoolean: boolean }[];
    contains: { system: string; code: string; display?: string; inactive?: boolean }[];
  };
}

function unknownValueSet(url: string): FhirError {
  return fhirError(
    404,
    'not-found',
    `Jeu de valeurs inconnu de ce serveur : ${url}`,
    `Value set not known to this server: ${url}`,
  );
}

function required(name: string, value: string | undefined): string {
  if (!value) throw errors.invalid(`Le paramètre « ${name} » est obligatoire`, `Parameter '${name}' is required`);
  return value;
}

function nonNegativeInt(name: string, value: string | number | undefined, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw errors.invalid(`Le paramètre « ${name} » doit être un entier positif ou nul`, `Parameter '${name}' must be a non-negative integer`);
  }
  return Math.min(n, max);
}

export interface ExpandParams {
  url?: string;
  filter?: string;
  count?: string | number;
  offset?: string | number;
  /** Leave out retired codes. */
  activeOnly?: string | boolean;
}

/** Largest page of an expansion. */
export const MAX_EXPAND_COUNT = 1000;

/** `ValueSet/$expand`: the value set's codes, filtered by text (accents, case, typos), ranked, paged. */
export async function expandValueSet(db: Queryable, terminology: NosTerminology, params: ExpandParams): Promise<ValueSetExpansion> {
  const url = required('url', params.url).split('|')[0];
  const vs = terminology.valueSet(url);
  if (!vs) throw unknownValueSet(url);
  const count = nonNegativeInt('count', params.count, MAX_EXPAND_COUNT) ?? MAX_EXPAND_COUNT;
  const offset = nonNegativeInt('offset', params.offset, Number.MAX_SAFE_INTEGER) ?? 0;
  const activeOnly = params.activeOnly === true || params.activeOnly === 'true';
  // IG value sets that include other value sets: expand the included ones we hold.
  const urls = [vs.url, ...vs.includeValueSets.map((u) => u.split('|')[0]).filter((u) => terminology.hasValueSet(u))];
  const partial = vs.includeSystems.length > 0 || urls.length - 1 < vs.includeValueSets.length;
  const filter = params.filter?.trim() || undefined;
  const r = await matchConcepts(db, { valueSets: urls, filter, activeOnly, limit: count, offset });
  const parameter: ValueSetExpansion['expansion']['parameter'] = [];
  if (filter) parameter.push({ name: 'filter', valueString: filter });
  if (params.count !== undefined) parameter.push({ name: 'count', valueInteger: count });
  if (offset) parameter.push({ name: 'offset', valueInteger: offset });
  if (activeOnly) parameter.push({ name: 'activeOnly', valueBoolean: true });
  return {
    resourceType: 'ValueSet',
    id: vs.url.split('/').pop(),
    url: vs.url,
    ...(vs.version ? { version: vs.version } : {}),
    name: vs.name,
    ...(vs.title ? { title: vs.title } : {}),
    status: 'active',
    expansion: {
      // Whole code systems or value sets included but not loaded: the expansion is partial.
      ...(partial ? { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/valueset-unclosed', valueBoolean: true }] } : {}),
      identifier: `urn:uuid:${randomUUID()}`,
      timestamp: new Date().toISOString(),
      total: r.total,
      offset,
      parameter,
      contains: r.rows.map((m) => ({
        system: m.system,
        code: m.code,
        // IG value sets list codes of systems not loaded here, without a label.
        ...(m.display ? { display: m.display } : {}),
        ...(m.retired ? { inactive: true } : {}),
      })),
    },
  };
}

export interface ValidateCodeParams {
  url?: string;
  system?: string;
  code?: string;
  display?: string;
}

/** `ValueSet/$validate-code`: result, message (French), display. Unknown value set → 404. */
export function validateCodeOperation(terminology: NosTerminology, params: ValidateCodeParams): Parameters {
  const url = required('url', params.url);
  const code = required('code', params.code);
  const r = terminology.validateCode(url, params.system || undefined, code);
  if (r.result === 'unknown-valueset') {
    if (!terminology.hasValueSet(url)) throw unknownValueSet(url.split('|')[0]);
    // Known, but it includes value sets not loaded here: the code cannot be judged.
    return {
      resourceType: 'Parameters',
      parameter: [
        { name: 'result', valueBoolean: false },
        { name: 'message', valueString: `Le code « ${code} » ne peut pas être vérifié : une partie du jeu de valeurs n'est pas chargée sur ce serveur` },
      ],
    };
  }
  if (r.result === 'invalid') {
    return { resourceType: 'Parameters', parameter: [{ name: 'result', valueBoolean: false }, { name: 'message', valueString: r.message.fr }] };
  }
  const c = r.concept;
  const messages: string[] = [];
  if (c.retired) messages.push(`Le code « ${code} » (${c.display}) est retiré de la nomenclature`);
  if (c.unverified === 'system') messages.push(`Les nomenclatures chargées ne nomment pas le système de ce code : seul le code a été vérifié`);
  if (c.unverified === 'code') messages.push(`Le système ${c.system} n'est pas chargé sur ce serveur : le code n'a pas été vérifié`);
  if (params.display && params.display.trim() !== c.display && c.unverified !== 'code') {
    messages.push(`Le libellé fourni « ${params.display} » diffère du libellé de la nomenclature « ${c.display} »`);
  }
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'result', valueBoolean: true },
      ...(messages.length ? [{ name: 'message', valueString: messages.join(' ; ') }] : []),
      ...(c.display ? [{ name: 'display', valueString: c.display }] : []),
    ],
  };
}

export interface LookupParams {
  system?: string;
  code?: string;
}

/** `CodeSystem/$lookup`: name, version, display, designations (NOS short/long labels), retired and dates. */
export function lookupOperation(terminology: NosTerminology, params: LookupParams): Parameters {
  const system = required('system', params.system);
  const code = required('code', params.code);
  const info = terminology.lookup(system, code);
  if (!info) {
    throw fhirError(
      404,
      'not-found',
      `Code « ${code} » introuvable dans le système ${system}`,
      `Code '${code}' not found in code system ${system}`,
    );
  }
  const url = terminology.systemUrl(system);
  const cs = terminology.data.codeSystems.find((c) => c.url === url);
  const concept = terminology.concept(url, code);
  const parameter: ParametersParameter[] = [
    { name: 'name', valueString: cs?.name ?? nosNameFromUrl(url) ?? url },
    ...(cs?.version ? [{ name: 'version', valueString: cs.version }] : []),
    { name: 'display', valueString: info.display },
  ];
  const designation = (use: string, value: string | undefined) =>
    value
      ? [{ name: 'designation', part: [{ name: 'language', valueCode: 'fr-FR' }, { name: 'use', valueCoding: { code: use } }, { name: 'value', valueString: value } ] }]
      : [];
  parameter.push(...designation('LibelleCourt', info.shortLabel), ...designation('LibelleLong', info.longLabel));
  const property = (p: string, value: ParametersParameter): ParametersParameter => ({ name: 'property', part: [{ name: 'code', valueCode: p }, { ...value, name: 'value' }] });
  parameter.push(property('retired', { name: 'value', valueBoolean: info.retired }));
  parameter.push(property('inactive', { name: 'value', valueBoolean: info.retired }));
  if (concept?.validFrom) parameter.push(property('dateValid', { name: 'value', valueDateTime: concept.validFrom }));
  if (concept?.validTo) parameter.push(property('dateFin', { name: 'value', valueDateTime: concept.validTo }));
  return { resourceType: 'Parameters', parameter };
}
