/**
 * Accent- and case-insensitive text for matching labels: "Rééducation Œil" → "reeducation oeil".
 * Computed in JS both when storing and when searching, so PGlite and PostgreSQL agree without
 * depending on the (non-immutable) `unaccent()` function.
 */
const LIGATURES: Record<string, string> = { œ: 'oe', æ: 'ae', ß: 'ss' };

export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[œæß]/g, (c) => LIGATURES[c])
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Words of a search filter, normalised, empty ones dropped. */
export function searchWords(filter: string): string[] {
  return normalizeText(filter).split(' ').filter(Boolean);
}

/** The stored search text of a concept: its labels and code, normalised, each label once. */
export function conceptSearchText(code: string, labels: (string | undefined)[]): string {
  const parts = new Set<string>();
  for (const l of labels) {
    const n = l ? normalizeText(l) : '';
    if (n) parts.add(n);
  }
  parts.add(normalizeText(code));
  return [...parts].join(' ');
}
