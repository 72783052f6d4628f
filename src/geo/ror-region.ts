/**
 * The ROR source region (JDV_J237-RegionOM-ROR) of a COG région: Saint-Barthélemy (977) and Saint-Martin (978)
 * are served by the ARS of Guadeloupe (01), and the ROR lists no région of their own.
 */
const ROR_REGION_OF: Record<string, string> = { '977': '01', '978': '01' };

export const rorRegion = (cogRegion: string): string => ROR_REGION_OF[cogRegion] ?? cogRegion;
