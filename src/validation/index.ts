import type { Issue } from '../fhir/outcome.ts';
import type { Resource } from '../fhir/types.ts';
import type { ResourceValidator } from '../store/hooks.ts';
import type { Terminology } from '../terminology/terminology.ts';
import { loadR4Definitions, validateBaseR4 } from './base-r4.ts';
import { validateAgainstProfile, type EngineOptions } from './engine.ts';
import { profileFor } from './profiles/index.ts';

/**
 * Validation of every write: base FHIR R4 structure (base-r4.ts), then the ROR profile that applies
 * (meta.profile when it names a ROR profile, else the ROR profile of the type) with its NOS bindings.
 * Returns the full list of issues; the store decides what errors mean (422, or kept in lenient mode).
 */

export type RorValidatorOptions = EngineOptions;

/** Validates a resource and returns all its issues (errors, warnings for retired codes…). */
export function validateResource(resource: Resource, terminology: Terminology, options: RorValidatorOptions = {}): Issue[] {
  const base = validateBaseR4(resource);
  const profile = profileFor(resource);
  if (!profile) return base;
  const ror = validateAgainstProfile(profile, resource, terminology, options);
  // The same fault seen by both layers (e.g. two values in a 0..1 element) is told once, in the
  // profile's words, which name the business element.
  const told = new Set(ror.filter((i) => i.severity === 'error').map((i) => i.expression));
  return [...base.filter((i) => i.severity !== 'error' || !told.has(i.expression)), ...ror];
}

export function createRorValidator(terminology: Terminology, options: RorValidatorOptions = {}): ResourceValidator {
  loadR4Definitions();
  return {
    async validate(resource: Resource): Promise<Issue[]> {
      return validateResource(resource, terminology, options);
    },
  };
}

export { profileFor, PROFILES } from './profiles/index.ts';
export { organizationVariant } from './profiles/organization.ts';
export type { Profile } from './model.ts';
