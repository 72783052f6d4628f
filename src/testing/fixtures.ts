import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Resource } from '../fhir/types.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The shared specs and data folder, beside the repository. */
export const SHARED_DIR = process.env.ROR_SHARED_DIR ?? path.resolve(REPO, '../shared');

/** One of the IG's example instances (shared/spec/ror-ig/examples), as a fresh object. */
export function igExample(file: string): Resource {
  return JSON.parse(fs.readFileSync(path.join(SHARED_DIR, 'spec/ror-ig/examples', file), 'utf8')) as Resource;
}
