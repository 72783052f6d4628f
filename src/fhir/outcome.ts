import type { Resource } from './types.ts';

export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';
/** FHIR IssueType codes we use. */
export type IssueCode =
  | 'invalid' | 'structure' | 'required' | 'value' | 'invariant' | 'code-invalid' | 'not-supported'
  | 'not-found' | 'deleted' | 'conflict' | 'duplicate' | 'multiple-matches' | 'too-long' | 'processing'
  | 'security' | 'forbidden' | 'login' | 'throttled' | 'exception' | 'business-rule' | 'informational' | 'incomplete';

/** One problem, told in French (for people) and English (for integrators), with where it is. */
export interface Issue {
  severity: IssueSeverity;
  code: IssueCode;
  /** French message, shown to users (OperationOutcome.issue.details.text). */
  fr: string;
  /** English message (OperationOutcome.issue.diagnostics). */
  en: string;
  /** FHIRPath of the element concerned, e.g. `HealthcareService.type[0].coding[0].code`. */
  expression?: string;
}

export interface OperationOutcome extends Resource {
  resourceType: 'OperationOutcome';
  issue: {
    severity: IssueSeverity;
    code: IssueCode;
    details?: { text: string };
    diagnostics?: string;
    expression?: string[];
  }[];
}

export function operationOutcome(issues: Issue[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({
      severity: i.severity,
      code: i.code,
      details: { text: i.fr },
      diagnostics: i.en,
      ...(i.expression ? { expression: [i.expression] } : {}),
    })),
  };
}

/** An error that becomes an HTTP status and an OperationOutcome at the API boundary. */
export class FhirError extends Error {
  constructor(
    readonly status: number,
    readonly issues: Issue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(issues.map((i) => (i.expression ? `${i.expression}: ${i.en}` : i.en)).join('; '));
    this.name = 'FhirError';
  }

  get outcome(): OperationOutcome {
    return operationOutcome(this.issues);
  }
}

/** Shorthand for an error with a single issue. */
export function fhirError(
  status: number,
  code: IssueCode,
  fr: string,
  en: string,
  expression?: string,
): FhirError {
  return new FhirError(status, [{ severity: status >= 500 ? 'fatal' : 'error', code, fr, en, expression }]);
}

export const errors = {
  notFound: (type: string, id: string) =>
    fhirError(404, 'not-found', `Ressource ${type}/${id} introuvable`, `Resource ${type}/${id} not found`),
  gone: (type: string, id: string) =>
    fhirError(410, 'deleted', `La ressource ${type}/${id} a été supprimée`, `Resource ${type}/${id} has been deleted`),
  invalid: (fr: string, en: string, expression?: string) => fhirError(400, 'invalid', fr, en, expression),
  versionConflict: (type: string, id: string, expected: string, actual: string) =>
    fhirError(
      412,
      'conflict',
      `La ressource ${type}/${id} a été modifiée entre-temps (version attendue ${expected}, version actuelle ${actual}) : rechargez-la avant de l'enregistrer`,
      `Version conflict on ${type}/${id}: If-Match expects version ${expected}, current version is ${actual}`,
    ),
  unsupported: (fr: string, en: string) => fhirError(501, 'not-supported', fr, en),
};
