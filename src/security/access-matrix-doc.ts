/**
 * The access matrix rendered as the Markdown tables of docs/security.md (between the
 * `access-matrix` markers). `node --import tsx src/security/access-matrix-doc.ts --write`
 * rewrites the doc; a test checks the doc equals the data.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RESOURCE_TYPES } from '../fhir/resource-types.ts';
import { ACCESS_MATRIX, ACTIONS, ELEMENT_RULES, READ_PROFILES, SUBJECTS } from './access-matrix.ts';

export const DOC_PATH = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../docs/security.md');
export const START = '<!-- access-matrix:start (generated from src/security/access-matrix.ts) -->';
export const END = '<!-- access-matrix:end -->';

export function renderAccessMatrix(): string {
  const out: string[] = [];
  for (const subject of SUBJECTS) {
    out.push(`#### ${subject}`, '', `| resource | ${ACTIONS.join(' | ')} |`, `|---|${ACTIONS.map(() => '---').join('|')}|`);
    for (const type of RESOURCE_TYPES) {
      const row = ACCESS_MATRIX[subject][type];
      out.push(`| ${type} | ${ACTIONS.map((a) => row[a] ?? 'none').join(' | ')} |`);
    }
    out.push('');
  }
  out.push('#### Element rules by access profile (`full` = national and regional administrators)', '');
  out.push(`| element | ${READ_PROFILES.map((p) => (p === 'full' ? 'full' : `profile ${p}`)).join(' | ')} |`);
  out.push(`|---|${READ_PROFILES.map(() => '---').join('|')}|`);
  for (const rule of ELEMENT_RULES) out.push(`| ${rule.element} | ${READ_PROFILES.map((p) => rule.visibility[p]).join(' | ')} |`);
  return out.join('\n');
}

/** The generated part of the doc as it stands in the file. */
export function documentedMatrix(doc: string): string | undefined {
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  return a >= 0 && b > a ? doc.slice(a + START.length, b).trim() : undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname) && process.argv.includes('--write')) {
  const doc = fs.readFileSync(DOC_PATH, 'utf8');
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`markers not found in ${DOC_PATH}`);
  fs.writeFileSync(DOC_PATH, `${doc.slice(0, a + START.length)}\n\n${renderAccessMatrix()}\n\n${doc.slice(b)}`);
  console.log(`${DOC_PATH} updated`);
}
