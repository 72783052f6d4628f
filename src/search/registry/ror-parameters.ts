/**
 * The 36 SearchParameters of the ROR IG 0.7.0, loaded from their published definitions
 * (ror-search-parameters.json) with the defects listed in ror-ig.md §2.3 fixed here, explicitly.
 */
import fs from 'node:fs';
import { isResourceType, type ResourceType } from '../../fhir/resource-types.ts';
import type { SearchParam, SearchParamType } from './search-parameter.ts';

interface PublishedSearchParameter {
  id: string;
  url: string;
  code: string;
  base: string[];
  type: string;
  expression?: string;
  comparator?: string[];
}

const SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';

/** A correction of one published definition: what is wrong, and the fixed fields. */
interface Fix {
  why: string;
  apply: (p: PublishedSearchParameter) => Partial<PublishedSearchParameter> & { extraCodes?: string[]; drop?: boolean };
}

const FIXES: Record<string, Fix> = {
  'ror-sp-organization-price-validity-start-date': {
    why: 'targets the ror-organization profile URL instead of the ror-organization-price extension, and casts to date although startDate is a dateTime',
    apply: () => ({
      expression: `Organization.extension.where(url='${SD}ror-organization-price').extension.where(url='startDate').value.as(dateTime)`,
    }),
  },
  'ror-sp-organization-special-price': {
    why: 'indexes dependencyLevel (copy-paste) instead of specialPrice',
    apply: (p) => ({ expression: p.expression!.replace(`url='dependencyLevel'`, `url='specialPrice'`) }),
  },
  'ror-sp-organization-price-amount-value': {
    why: 'code amount-value while the CapabilityStatement advertises price-amount-value: both codes are accepted',
    apply: () => ({ extraCodes: ['price-amount-value'] }),
  },
  'ror-sp-healthcareservice-equipment-type': {
    why: 'points to an obsolete ror30 extension (equipment lives on Location): not in any CapabilityStatement, dropped — use location.equipment-type',
    apply: () => ({ drop: true }),
  },
  'ror-sp-location-near-insee-code': {
    why: 'points to a non-existent address extension; special server logic: commune centroid (COG) + radius on Location.position',
    apply: () => ({ expression: undefined }),
  },
};

/** The capacity sub-extensions are CodeableConcepts: the published `.as(code)` casts match nothing. */
function fixCodeCast(p: PublishedSearchParameter): string | undefined {
  if (p.type === 'token' && p.expression?.endsWith('.value.as(code)')) {
    return p.expression.replace(/\.value\.as\(code\)$/, '.value.as(CodeableConcept)');
  }
  return p.expression;
}

export interface RorParameterLoad {
  params: SearchParam[];
  /** What was corrected, by SearchParameter id (reported by the CapabilityStatement / docs). */
  corrections: { id: string; why: string }[];
}

export function loadRorSearchParameters(): RorParameterLoad {
  const file = new URL('./ror-search-parameters.json', import.meta.url);
  const published = (JSON.parse(fs.readFileSync(file, 'utf8')) as { parameters: PublishedSearchParameter[] }).parameters;
  const params: SearchParam[] = [];
  const corrections: { id: string; why: string }[] = [];
  for (const original of published) {
    let p: PublishedSearchParameter & { extraCodes?: string[]; drop?: boolean } = { ...original };
    const castFixed = fixCodeCast(p);
    if (castFixed !== p.expression) {
      corrections.push({ id: p.id, why: 'casts a CodeableConcept value with .as(code): fixed to .as(CodeableConcept)' });
      p.expression = castFixed;
    }
    const collectionSafe = p.expression?.replace(/\.value\.as\((\w+)\)/g, '.value.ofType($1)');
    if (collectionSafe !== p.expression) {
      // FHIRPath `as` needs a single input: an offer with several zones, a place with several capacity
      // records, raised an error and was not indexed at all. `ofType` filters a collection.
      corrections.push({ id: p.id, why: '`.value.as(T)` fails on repeated extensions (several zones, capacity records): `.value.ofType(T)`' });
      p.expression = collectionSafe;
    }
    const fix = FIXES[p.id];
    if (fix) {
      p = { ...p, ...fix.apply(p) };
      corrections.push({ id: p.id, why: fix.why });
    }
    if (p.drop) continue;
    for (const baseName of p.base) {
      if (!isResourceType(baseName)) continue;
      const base: ResourceType = baseName;
      for (const code of [p.code, ...(p.extraCodes ?? [])]) {
        params.push({
          code,
          base,
          type: p.type as SearchParamType,
          expression: p.expression,
          url: p.url,
          source: 'ror',
          special: p.id === 'ror-sp-location-near-insee-code' ? 'near-insee-code' : undefined,
        });
      }
    }
  }
  return { params, corrections };
}
