/**
 * The terminology service over the NOS nomenclatures (TRE_ code systems, JDV_ value sets),
 * loaded into the database and held in memory for fast validation and display.
 * Implemented in this folder; the validator and the search read it through this interface.
 */
export interface ConceptInfo {
  system: string;
  code: string;
  display: string;
  /** Retired in the NOS (a `Date fin` / `dateFin`): still readable, flagged. */
  retired: boolean;
  /** NOS short and long labels, when the code system file is loaded. */
  shortLabel?: string;
  longLabel?: string;
  /**
   * Set when the check could not be complete: `'system'` = the NOS files name no code system for this
   * value-set row (only its OID), so the code was matched whatever the system; `'code'` = the value set
   * includes a whole code system that is not loaded, so the code was not checked.
   */
  unverified?: 'system' | 'code';
}

export type CodeCheck =
  | { result: 'valid'; concept: ConceptInfo }
  /** The value set is known but does not contain this system|code. */
  | { result: 'invalid'; valueSetName: string; message: { fr: string; en: string } }
  /** The value set is not loaded here (not in the NOS files we have): cannot be checked. */
  | { result: 'unknown-valueset' };

export interface Terminology {
  /** Checks system|code against a value set (canonical URL of a JDV). */
  validateCode(valueSetUrl: string, system: string | undefined, code: string): CodeCheck;
  /** Label and status of a code in a code system (TRE), or from any value set carrying it. */
  lookup(system: string, code: string): ConceptInfo | undefined;
  /** Whether a value set (canonical URL) is loaded. */
  hasValueSet(url: string): boolean;
}

export { NosTerminology, loadTerminologyFromFiles, defaultNosDir, defaultIgDir } from './nos-terminology.ts';
