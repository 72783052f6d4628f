import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared specs and data folder: `ROR_SHARED_DIR`, else `<repo>/../shared`. */
export function sharedDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.ROR_SHARED_DIR || path.join(REPO_ROOT, '../shared'));
}

/** The folder of COG communes and département outlines inside the shared folder. */
export function geoDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(sharedDir(env), 'data/geo');
}
