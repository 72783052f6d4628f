import type { Profile } from '../model.ts';
import { healthcareService } from './healthcare-service.ts';
import { location } from './location.ts';
import { organization } from './organization.ts';
import { practitioner } from './practitioner.ts';
import { practitionerRole } from './practitioner-role.ts';
import { questionnaire } from './questionnaire.ts';
import { task } from './task.ts';

/** The ROR profiles written as data, and which one applies to a resource. */

export const PROFILES: readonly Profile[] = [organization, healthcareService, location, practitioner, practitionerRole, task, questionnaire];

const byUrl = new Map(PROFILES.map((p) => [p.url, p]));
const byType = new Map(PROFILES.map((p) => [p.resourceType, p]));

/** Canonical URL without a `|version` suffix. */
function stripVersion(url: string): string {
  const bar = url.indexOf('|');
  return bar < 0 ? url : url.slice(0, bar);
}

/**
 * The profile a resource must conform to: the ROR profile its meta.profile names (when it names one of
 * this resource type), else the ROR profile of its type. Undefined for types without a ROR profile.
 */
export function profileFor(resource: { resourceType: string; meta?: { profile?: unknown } }): Profile | undefined {
  const declared = Array.isArray(resource.meta?.profile) ? resource.meta.profile : [];
  for (const url of declared) {
    if (typeof url !== 'string') continue;
    const p = byUrl.get(stripVersion(url));
    if (p && p.resourceType === resource.resourceType) return p;
  }
  return byType.get(resource.resourceType);
}

export { healthcareService, location, organization, practitioner, practitionerRole, questionnaire, task };
