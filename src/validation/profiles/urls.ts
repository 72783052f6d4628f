import type { Binding } from '../model.ts';

/** Canonical URLs used by the profile modules (NOS value sets and code systems, ROR extensions). */

const NOS = 'https://mos.esante.gouv.fr/NOS';
const IG = 'https://interop.esante.gouv.fr/ig/fhir/ror';

/** NOS canonical URL from a file name: `JDV_J17-ActiviteOperationnelle-ROR` → `…/NOS/JDV_J17-…/FHIR/JDV-J17-…`. */
export function nos(name: string): string {
  return `${NOS}/${name}/FHIR/${name.replace('_', '-')}`;
}

/** Required binding to a NOS value set (JDV), the usual ROR case. */
export function jdv(name: string): Binding {
  return { valueSet: nos(`JDV_${name}`), strength: 'required' };
}

/** TRE code system URL (the system carried by instance codings). */
export function tre(name: string): string {
  return nos(`TRE_${name}`);
}

/** ROR extension (StructureDefinition) URL. */
export function rorExt(id: string): string {
  return `${IG}/StructureDefinition/${id}`;
}

export function igCodeSystem(id: string): string {
  return `${IG}/CodeSystem/${id}`;
}

export function igValueSet(id: string): Binding {
  return { valueSet: `${IG}/ValueSet/${id}`, strength: 'required' };
}

/** Short name of a value set for messages: `JDV_J17-ActiviteOperationnelle-ROR`, or the last URL segment. */
export function valueSetName(url: string): string {
  const m = /\/NOS\/([^/]+?)(?:\.tabs)?\/FHIR\//.exec(url);
  if (m) return m[1];
  return url.slice(url.lastIndexOf('/') + 1);
}
