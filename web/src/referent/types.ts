/** Shapes of the /api/espace answers (src/referent/routes.ts), as the pages read them. */
import type { TreeItem, VerificationStatus } from '../../../src/referent/api-types.ts';

export type { CapacityRecord, ReminderRun, TreeItem, VerificationStatus, VersionEntry } from '../../../src/referent/api-types.ts';

export interface StructureSummary {
  id: string;
  name: string;
  finess?: string;
  kind: 'EJ' | 'EG';
  status: VerificationStatus | null;
}

export interface SpaceHome {
  role: 'national-admin' | 'regional-admin' | 'referent' | 'professional';
  regions: string[];
  staleAfterDays: number;
  structures?: StructureSummary[];
  practitioner?: { id: string; name: string } | null;
  /** A professional's city offers with their places. */
  offers?: TreeItem[];
}

export const STATUS_LABELS: Record<VerificationStatus, string> = { 'a-verifier': 'À vérifier', verifie: 'Vérifié', finalise: 'Finalisé' };
export const KIND_LABELS: Record<TreeItem['kind'], string> = { EJ: 'Entité juridique', EG: 'Établissement', OI: 'Organisation interne', offre: 'Offre', lieu: 'Lieu' };
export const CAPACITY_TYPE_LABELS: Record<string, string> = { '01': 'Lits', '02': 'Places' };
export const CAPACITY_STATUS_LABELS: Record<string, string> = { '01': 'installé(e)s', '02': 'disponibles', '03': 'occupé(e)s', '04': 'réservé(e)s', '05': 'fermé(e)s', '06': 'supplémentaires' };
export const ACTION_LABELS: Record<string, string> = {
  create: 'Création', update: 'Modification', patch: 'Modification', delete: 'Suppression', import: 'Import',
  confirm: 'Confirmation', capacity: 'Mise à jour des capacités', closure: 'Fermeture / réouverture', restore: 'Restauration',
};
