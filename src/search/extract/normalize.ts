/**
 * Text as compared by string search and _content: unaccented, lower case, hyphens and apostrophes
 * as spaces (« saint germain » finds Saint-Germain-en-Laye, « l ile » L'Île), spaces collapsed.
 */
export function normalizeText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/œ/g, 'oe').replace(/Œ/g, 'oe').replace(/æ/g, 'ae').replace(/Æ/g, 'ae')
    .toLowerCase()
    .replace(/[-'’‐‑]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Escapes LIKE wildcards so a user value matches literally. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}
