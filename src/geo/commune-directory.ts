import fs from 'node:fs';
import path from 'node:path';

export type { CommunePlace } from './place-types.ts';
import type { CommunePlace } from './place-types.ts';

interface Entry extends CommunePlace {
  /** Normalised name (see `normalizePlaceName`). */
  key: string;
}

/** Lower case, no accents, hyphens and apostrophes as spaces, `st`/`ste` spelled out: what people type. */
export function normalizePlaceName(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .map((w) => (w === 'st' ? 'saint' : w === 'ste' ? 'sainte' : w))
    .join(' ');
}

/**
 * The communes of the COG 2026 with their centroid, in memory (35 k rows, a few MB): prefix search on the
 * name (accent- and case-insensitive), the postcode or the INSEE code, ranked by population.
 */
export class CommuneDirectory {
  private readonly entries: Entry[];
  private readonly byCode = new Map<string, Entry>();
  private byKey?: Map<string, Entry[]>;

  constructor(communes: CommunePlace[]) {
    this.entries = communes
      .map((c) => {
        const key = normalizePlaceName(c.name);
        return { ...c, key };
      })
      // Largest first, so that every scan below yields results already in rank order within a tier.
      .sort((a, b) => b.population - a.population || a.code.localeCompare(b.code));
    for (const e of this.entries) this.byCode.set(e.code, e);
  }

  /** Reads `communes-centroides-cog2026.csv` (communes and municipal arrondissements that have a centroid). */
  static fromCentroidFile(file: string): CommuneDirectory {
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
    const header = lines[0].split(',');
    const col = (name: string): number => {
      const i = header.indexOf(name);
      if (i < 0) throw new Error(`${path.basename(file)}: column "${name}" missing`);
      return i;
    };
    const [cCode, cName, cDep, cReg, cLat, cLon, cPop, cCp] =
      ['code_insee', 'nom', 'departement', 'region', 'latitude', 'longitude', 'population', 'codes_postaux'].map(col);
    const communes: CommunePlace[] = [];
    for (let n = 1; n < lines.length; n++) {
      // The file has no quoting (names hold no comma): a plain split is exact.
      const f = lines[n].split(',');
      const lat = Number(f[cLat]);
      const lon = Number(f[cLon]);
      if (!f[cCode] || !f[cLat] || !Number.isFinite(lat) || !Number.isFinite(lon)) continue;
      communes.push({
        code: f[cCode], name: f[cName], departement: f[cDep], region: f[cReg], lat, lon,
        population: Number(f[cPop]) || 0,
        postcodes: f[cCp] ? f[cCp].split(' ') : [],
      });
    }
    return new CommuneDirectory(communes);
  }

  /** Every commune, most populated first. */
  all(): readonly CommunePlace[] {
    return this.entries;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Communes whose normalised name is exactly this one (several share a name: most populated first). */
  named(name: string): CommunePlace[] {
    if (!this.byKey) {
      this.byKey = new Map();
      for (const e of this.entries) this.byKey.set(e.key, [...(this.byKey.get(e.key) ?? []), e]);
    }
    return (this.byKey.get(normalizePlaceName(name)) ?? []).map(strip);
  }

  get(code: string): CommunePlace | undefined {
    const e = this.byCode.get(code);
    return e && strip(e);
  }

  /**
   * Communes matching what was typed: digits → exact postcode, exact INSEE code, then either's prefix; text → exact name, then
   * name prefix, then the prefix of a later word ("jolie" → Mantes-la-Jolie). Each tier by decreasing population.
   */
  search(query: string, limit = 10): CommunePlace[] {
    const q = query.trim();
    if (!q) return [];
    if (/^\d[\dAaBb]{0,4}$/.test(q)) {
      // People type postcodes far more often than INSEE codes: an exact postcode ranks first.
      const code = q.toUpperCase();
      const byPostcode = this.entries.filter((e) => e.postcodes.includes(q));
      const exact = this.byCode.get(code);
      const seen = new Set<Entry>(byPostcode);
      if (exact) seen.add(exact);
      const prefixed = this.entries.filter((e) => !seen.has(e) && (e.code.startsWith(code) || e.postcodes.some((p) => p.startsWith(q))));
      return [...byPostcode, ...(exact && !byPostcode.includes(exact) ? [exact] : []), ...prefixed].slice(0, limit).map(strip);
    }
    const key = normalizePlaceName(q);
    if (!key) return [];
    const tiers: Entry[][] = [[], [], []];
    for (const e of this.entries) {
      if (e.key === key) tiers[0].push(e);
      else if (e.key.startsWith(key)) tiers[1].push(e);
      else if (tiers[2].length < limit && e.key.includes(` ${key}`)) tiers[2].push(e);
    }
    return tiers.flat().slice(0, limit).map(strip);
  }
}

function strip(e: Entry): CommunePlace {
  const { key: _key, ...place } = e;
  return place;
}
