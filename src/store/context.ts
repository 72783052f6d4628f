import type { Principal } from '../security/principal.ts';

/** Who acts, from where and through which channel: recorded with every write and restricted read. */
export type ActorKind = 'user' | 'app' | 'import' | 'system' | 'anonymous';

export interface Actor {
  /** Account id, application client id, or import job name. */
  id: string;
  kind: ActorKind;
  display?: string;
  /** Role, perimeter or access profile the access rules apply (set by authentication; absent = by kind). */
  principal?: Principal;
}

/** The channel a change came through (provenance). */
export type Source = 'api' | 'form' | 'finess' | 'rpps' | 'nos' | 'demo' | 'cli' | 'generator' | 'sync';

export interface RequestContext {
  actor: Actor;
  source: Source;
  remoteAddr?: string;
  /** `lenient`: store despite profile violations, keeping them as flagged issues (legacy imports). */
  validation?: 'strict' | 'lenient';
}

export const SYSTEM_CONTEXT: RequestContext = { actor: { id: 'system', kind: 'system' }, source: 'cli' };
