/** The words of a normalised text worth a dictionary entry (typo tolerance of _content). */
export function contentWords(normalised: string): string[] {
  return [...new Set(normalised.match(/[a-z0-9]{3,}/g) ?? [])];
}
