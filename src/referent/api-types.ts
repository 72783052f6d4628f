/**
 * Shapes of the /api/espace answers, shared by the server (src/referent) and the web app (web/src/referent):
 * types only, so the web app's bundle imports nothing of the server.
 */
import type { VerificationStatus } from '../ingest/verification-status.ts';

export type { VerificationStatus };

/** One capacity record as the referent's page shows it. */
export interface CapacityRecord {
  type: string;
  status: string;
  temporality: string;
  count: number;
  updatedAt?: string;
}

export type ItemKind = 'EJ' | 'EG' | 'OI' | 'offre' | 'lieu';

export interface TreeItem {
  type: 'Organization' | 'HealthcareService' | 'Location';
  id: string;
  kind: ItemKind;
  name: string;
  versionId: number;
  lastUpdated: string;
  /** Verification status tag (null: none, e.g. created by hand). */
  status: VerificationStatus | null;
  confirmedAt?: string;
  stale: boolean;
  finess?: string;
  /** Population criteria still missing (offers), in French. */
  missing: string[];
  /** Quality écarts of this item: rule code and reason. */
  deviations: { rule: string; reason: string | null }[];
  capacities?: CapacityRecord[];
  closure?: { from?: string; until?: string; description?: string };
  closed?: boolean;
  children: TreeItem[];
}

export interface VersionEntry {
  versionId: number;
  lastUpdated: string;
  deleted: boolean;
  /** Audit action: create, update, patch, confirm, capacity, closure, restore… */
  action: string | null;
  /** Who: the account's e-mail, the application or the import. */
  actor: string | null;
  actorKind: string | null;
  source: string | null;
  /** The changed paths (JSON Patch operations of the audit diff), in short. */
  changes: { op: string; path: string }[];
}

export interface ReminderRun {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  trigger: string;
  staleAfterDays: number;
  status: 'running' | 'done' | 'failed';
  referents: number;
  staleItems: number;
  emailsSent: number;
  error: string | null;
}
