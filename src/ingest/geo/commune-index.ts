import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { rorRegion } from '../../geo/ror-region.ts';
import { communesCsvPath, parseCommunes } from '../../search/geo/communes.ts';
import { defaultGeoDir } from '../reference-data.ts';

/** A current commune of the COG (code INSEE), with its département and its ROR source région. */
export interface Commune {
  code: string;
  name: string;
  departement: string;
  region: string;
}

/** How a commune was found: given code, postcode alone, postcode + name, or name within the département. */
export type CommuneMatch = Commune & { method: 'code' | 'postcode' | 'postcode+name' | 'name' };

interface CogEntry {
  code: string;
  nom: string;
  type: 'commune-actuelle' | 'commune-deleguee' | 'commune-associee' | 'arrondissement-municipal';
  departement?: string;
  region?: string;
  codesPostaux?: string[];
  chefLieu?: string;
  commune?: string;
}

const WORD_EXPANSIONS: Record<string, string> = { ST: 'SAINT', STE: 'SAINTE', STS: 'SAINTS', STES: 'SAINTES' };

/** Upper case, no accents, no punctuation, `ST` → `SAINT`, without a trailing `CEDEX nn`: names compare equal across sources. */
export function normalizeCommuneName(name: string): string {
  const plain = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/Œ/g, 'OE')
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim()
    // `CEDEX nn`, also when truncated (`CEDE`, `CED`) by the 32-character FINESS field.
    .replace(/\s+CED(E(X)?)?(\s+\d+)?$/, '')
    .replace(/\s+\d+$/, '');
  return plain
    .split(' ')
    .map((w) => WORD_EXPANSIONS[w] ?? w)
    .join(' ');
}

/** The overseas départements: a CEDEX postcode there may carry another one's prefix (`97826` is Le Port, in 974). */
const OVERSEAS_DEPARTEMENTS = ['971', '972', '973', '974', '976'];

/** Département of a postcode: `78` from `78100`, `2A`/`2B` for Corsica (both tried), `974` overseas. */
function departementsOfPostcode(postcode: string): string[] {
  if (postcode.startsWith('97') || postcode.startsWith('98')) return [postcode.slice(0, 3)];
  if (postcode.startsWith('20')) return ['2A', '2B'];
  return [postcode.slice(0, 2)];
}

/**
 * The COG 2026 communes, to find the commune of an address from its postcode and city name
 * (FINESS names are upper case, abbreviated, sometimes of a former commune merged since).
 */
export class CommuneIndex {
  private readonly byCode = new Map<string, Commune>();
  private readonly byPostcode = new Map<string, Commune[]>();
  /** `<département>|<normalised name>` → communes (current ones, and former/delegated ones pointing to their current commune). */
  private readonly byName = new Map<string, Commune[]>();
  /** `<département>` → its names as in `byName`, for the names a postcode cannot narrow (CEDEX). */
  private readonly namesByDepartement = new Map<string, { name: string; commune: Commune }[]>();
  private readonly regionOfDepartement = new Map<string, string>();
  private readonly centroids = new Map<string, { latitude: number; longitude: number }>();

  constructor(
    entries: CogEntry[], departements: { code: string; region: string }[] = [],
    centroids: { cog: string; lat: number; lon: number }[] = [],
  ) {
    for (const c of centroids) this.centroids.set(c.cog, { latitude: c.lat, longitude: c.lon });
    for (const d of departements) this.regionOfDepartement.set(d.code, rorRegion(d.region));
    for (const e of entries) {
      if (e.type === 'commune-actuelle' && e.departement && e.region) {
        this.byCode.set(e.code, { code: e.code, name: e.nom, departement: e.departement, region: rorRegion(e.region) });
      }
    }
    const addName = (dep: string, name: string, c: Commune) => {
      const normalized = normalizeCommuneName(name);
      const key = `${dep}|${normalized}`;
      const list = this.byName.get(key) ?? [];
      if (!list.some((x) => x.code === c.code)) list.push(c);
      this.byName.set(key, list);
      const names = this.namesByDepartement.get(dep) ?? [];
      names.push({ name: normalized, commune: c });
      this.namesByDepartement.set(dep, names);
    };
    // Current communes first, so that a name shared with a delegated commune prefers the current one.
    for (const c of this.byCode.values()) addName(c.departement, c.name, c);
    for (const e of entries) {
      const current = e.type === 'commune-actuelle' ? this.byCode.get(e.code)
        : e.type === 'arrondissement-municipal' ? this.byCode.get(e.commune ?? '')
        : this.byCode.get(e.chefLieu ?? '');
      if (!current) continue;
      if (e.type !== 'commune-actuelle') addName(current.departement, e.nom, current);
      for (const cp of e.codesPostaux ?? []) {
        const list = this.byPostcode.get(cp) ?? [];
        if (!list.some((x) => x.code === current.code)) list.push(current);
        this.byPostcode.set(cp, list);
      }
    }
  }

  /** Loads `cog2026-communes.json.gz`, `cog2026-departements.json` and the commune centroids. */
  static load(geoDir = defaultGeoDir()): CommuneIndex {
    const communes = JSON.parse(gunzipSync(fs.readFileSync(path.join(geoDir, 'cog2026-communes.json.gz'))).toString('utf8')) as CogEntry[];
    const deps = JSON.parse(fs.readFileSync(path.join(geoDir, 'cog2026-departements.json'), 'utf8')) as { code: string; region: string }[];
    const centroidFile = process.env.ROR_COMMUNES_CSV ? communesCsvPath() : path.join(geoDir, 'communes-centroides-cog2026.csv');
    const centroids = fs.existsSync(centroidFile) ? parseCommunes(fs.readFileSync(centroidFile, 'utf8')) : [];
    return new CommuneIndex(communes, deps, centroids);
  }

  /** Centroid of a commune (communes-centroides-cog2026.csv), when known. */
  centroid(code: string): { latitude: number; longitude: number } | undefined {
    return this.centroids.get(code);
  }

  get(code: string): Commune | undefined {
    return this.byCode.get(code);
  }

  /** Région (TRE_R30 / INSEE code) of a département (`78`, `2A`, `974`). */
  regionOf(departement: string): string | undefined {
    return this.regionOfDepartement.get(departement);
  }

  /** The commune of an address, or null when it cannot be told (unknown postcode and name, or ambiguous). */
  resolve(postcode: string | undefined, city: string | undefined, code?: string): CommuneMatch | null {
    if (code) {
      const c = this.byCode.get(code);
      if (c) return { ...c, method: 'code' };
    }
    const name = city ? normalizeCommuneName(city) : '';
    const candidates = postcode ? this.byPostcode.get(postcode) ?? [] : [];
    if (name) {
      const exact = candidates.filter((c) => normalizeCommuneName(c.name) === name);
      if (exact.length === 1) return { ...exact[0]!, method: 'postcode+name' };
      // The name of a former or delegated commune, or a postcode missing from the COG (CEDEX): search the département.
      let deps = postcode ? departementsOfPostcode(postcode) : [];
      const named = (ds: string[]) => ds.flatMap((d) => this.byName.get(`${d}|${name}`) ?? []);
      let byName = named(deps);
      if (byName.length === 0 && postcode?.startsWith('97') && candidates.length === 0) {
        deps = OVERSEAS_DEPARTEMENTS;
        byName = named(deps);
      }
      const inPostcode = byName.filter((c) => candidates.some((x) => x.code === c.code));
      if (inPostcode.length === 1) return { ...inPostcode[0]!, method: 'postcode+name' };
      if (byName.length === 1) return { ...byName[0]!, method: 'name' };
      // A longer or shorter form of the name (`SAINT LAMBERT DES BOIS` for Saint-Lambert) among the postcode's communes.
      const partial = candidates.filter((c) => {
        const n = normalizeCommuneName(c.name);
        // FINESS cuts long names (26 characters in the acheminement line): a long name may be a truncation.
        return name.startsWith(`${n} `) || n.startsWith(`${name} `) || (name.length >= 20 && n.startsWith(name));
      });
      if (partial.length === 1) return { ...partial[0]!, method: 'postcode+name' };
      // A CEDEX postcode narrows nothing: the short form of a merged commune's name (`ILLKIRCH` for
      // Illkirch-Graffenstaden, `EVRY` for Évry-Courcouronnes) when one commune of the département has it.
      if (candidates.length === 0) {
        const longer = new Map<string, Commune>();
        for (const d of deps) {
          for (const n of this.namesByDepartement.get(d) ?? []) if (n.name.startsWith(`${name} `)) longer.set(n.commune.code, n.commune);
        }
        if (longer.size === 1) return { ...[...longer.values()][0]!, method: 'name' };
      }
    }
    if (candidates.length === 1) return { ...candidates[0]!, method: 'postcode' };
    return null;
  }
}
