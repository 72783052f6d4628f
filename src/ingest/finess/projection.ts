import proj4 from 'proj4';

/**
 * FINESS coordinates are projected metres (Lambert-93 in metropolitan France, UTM overseas);
 * the projection is named by the last token of `sourcecoordet` (ror-indicators.md §6.6).
 */
export type FinessCrs = 'EPSG:2154' | 'EPSG:5490' | 'EPSG:4467' | 'EPSG:2972' | 'EPSG:4471' | 'EPSG:2975';

// RGF93 / RGAF09 / RGSPM06 / RGFG95 / RGM04 / RGR92 all use GRS80 and coincide with WGS84 at the metre level.
const DEFS: Record<FinessCrs, string> = {
  'EPSG:2154': '+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  'EPSG:5490': '+proj=utm +zone=20 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  'EPSG:4467': '+proj=utm +zone=21 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  'EPSG:2972': '+proj=utm +zone=22 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  'EPSG:4471': '+proj=utm +zone=38 +south +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  'EPSG:2975': '+proj=utm +zone=40 +south +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
};

/** Other EPSG codes of the same zones that files may name explicitly. */
const EPSG_ALIASES: Record<string, FinessCrs> = {
  '2154': 'EPSG:2154', '5490': 'EPSG:5490', '4559': 'EPSG:5490', '32620': 'EPSG:5490', '2969': 'EPSG:5490', '2970': 'EPSG:5490',
  '4467': 'EPSG:4467', '32621': 'EPSG:4467',
  '2972': 'EPSG:2972', '32622': 'EPSG:2972',
  '4471': 'EPSG:4471', '32738': 'EPSG:4471',
  '2975': 'EPSG:2975', '32740': 'EPSG:2975',
};

const KEYWORDS: [RegExp, FinessCrs][] = [
  [/L93|LAMBERT[ _-]?93|LAMBERT/, 'EPSG:2154'],
  [/UTM[ _-]?N?20|ZONE 20/, 'EPSG:5490'],
  [/UTM[ _-]?N?21|ZONE 21/, 'EPSG:4467'],
  [/UTM[ _-]?N?22|ZONE 22/, 'EPSG:2972'],
  [/UTM[ _-]?S?38|ZONE 38/, 'EPSG:4471'],
  [/UTM[ _-]?S?40|ZONE 40/, 'EPSG:2975'],
];

/** The CRS of a département (FINESS code `9A`… or COG `971`…) when the source names none. */
export function crsOfDepartement(dep: string | undefined): FinessCrs {
  switch (dep) {
    case '9A': case '9B': case '971': case '972': case '977': case '978': return 'EPSG:5490';
    case '9E': case '975': return 'EPSG:4467';
    case '9C': case '973': return 'EPSG:2972';
    case '9F': case '976': return 'EPSG:4471';
    case '9D': case '974': return 'EPSG:2975';
    default: return 'EPSG:2154';
  }
}

/** Reads the projection from `sourcecoordet`: an explicit `EPSG:n`, else a keyword of its last token, else the département. */
export function crsOfSource(sourcecoordet: string | undefined, departement?: string): FinessCrs {
  const s = (sourcecoordet ?? '').toUpperCase();
  const epsg = /EPSG:\s*(\d+)/.exec(s);
  if (epsg && EPSG_ALIASES[epsg[1]!]) return EPSG_ALIASES[epsg[1]!]!;
  const last = s.split(',').pop()!.trim();
  for (const text of [last, s]) {
    for (const [re, crs] of KEYWORDS) if (re.test(text)) return crs;
  }
  return crsOfDepartement(departement);
}

export interface LatLon {
  latitude: number;
  longitude: number;
}

const converters = new Map<FinessCrs, proj4.Converter>();
function converter(crs: FinessCrs): proj4.Converter {
  let c = converters.get(crs);
  if (!c) {
    c = proj4(DEFS[crs], 'WGS84');
    converters.set(crs, c);
  }
  return c;
}

/** Projected metres → WGS84 degrees. */
export function toWgs84(x: number, y: number, crs: FinessCrs): LatLon {
  const [longitude, latitude] = converter(crs).forward([x, y]) as [number, number];
  return { latitude, longitude };
}

/** WGS84 degrees → projected metres (used to build etalab-format fixtures from WGS84 data). */
export function fromWgs84(p: LatLon, crs: FinessCrs): { x: number; y: number } {
  const [x, y] = converter(crs).inverse([p.longitude, p.latitude]) as [number, number];
  return { x, y };
}

/** Great-circle distance in metres (haversine, mean Earth radius). */
export function distanceMetres(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
}
