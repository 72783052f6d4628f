import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Folder of the COG files (communes, départements, régions): `ROR_GEO_DIR`, else `<repo>/../shared/data/geo`. */
export function defaultGeoDir(): string {
  return process.env.ROR_GEO_DIR || path.resolve(REPO_ROOT, '../shared/data/geo');
}

/** Folder of the NOS files: `ROR_NOS_DIR`, else `<repo>/../shared/data/nos`. */
export function defaultNosDir(): string {
  return process.env.ROR_NOS_DIR || path.resolve(REPO_ROOT, '../shared/data/nos');
}

/** Folder of the FINESS extracts: `ROR_FINESS_DIR`, else `<repo>/../shared/data/finess`. */
export function defaultFinessDir(): string {
  return process.env.ROR_FINESS_DIR || path.resolve(REPO_ROOT, '../shared/data/finess');
}

/** Folder of the RPPS / Annuaire Santé extractions: `ROR_RPPS_DIR`, else `<repo>/../shared/data/rpps`. */
export function defaultRppsDir(): string {
  return process.env.ROR_RPPS_DIR || path.resolve(REPO_ROOT, '../shared/data/rpps');
}
