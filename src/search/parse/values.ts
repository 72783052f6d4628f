/**
 * Parsing of one search value by parameter type: escapes, prefixes, dates, numbers, tokens,
 * references, `near`. Errors are SearchInputError naming the parameter (turned into 400).
 */
import { parseDateRange } from '../extract/dates.ts';
import type { Prefix, Value } from './search-query.ts';

/** A bad parameter: the message is given in French and English, the parameter named in both. */
export class SearchInputError extends Error {
  constructor(readonly param: string, readonly fr: string, readonly en: string, readonly code: 'invalid' | 'not-supported' = 'invalid') {
    super(en);
  }
}

const PREFIXES = new Set(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);

/** Splits on an unescaped separator and removes the escapes `\,` `\|` `\$` `\\`. */
export function splitEscaped(value: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && i + 1 < value.length) {
      cur += c + value[++i];
    } else if (c === sep) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export function unescape(s: string): string {
  return s.replace(/\\([\\,|$])/g, '$1');
}

function prefixOf(param: string, raw: string): { prefix: Prefix; rest: string } {
  const m = /^([a-z]{2})(?=[-+\d.])/.exec(raw);
  if (m) {
    if (!PREFIXES.has(m[1])) {
      throw new SearchInputError(param, `Préfixe « ${m[1]} » inconnu pour le paramètre ${param} (attendus : eq, ne, gt, lt, ge, le, sa, eb, ap)`,
        `Unknown prefix "${m[1]}" for parameter ${param} (expected eq, ne, gt, lt, ge, le, sa, eb, ap)`);
    }
    return { prefix: m[1] as Prefix, rest: raw.slice(2) };
  }
  if (/^[a-z]+/i.test(raw) && !/^\d/.test(raw)) {
    const p = /^[a-z]+/i.exec(raw)![0];
    throw new SearchInputError(param, `Préfixe « ${p} » invalide pour le paramètre ${param}`, `Invalid prefix "${p}" for parameter ${param}`);
  }
  return { prefix: 'eq', rest: raw };
}

export function parseDateValue(param: string, raw: string): Value {
  const { prefix, rest } = prefixOf(param, raw);
  const range = parseDateRange(rest);
  if (!range) {
    throw new SearchInputError(param, `Date invalide « ${raw} » pour le paramètre ${param} (format AAAA[-MM[-JJ[Thh:mm[:ss][Z|±hh:mm]]]])`,
      `Invalid date "${raw}" for parameter ${param} (expected YYYY[-MM[-DD[Thh:mm[:ss][Z|±hh:mm]]]])`);
  }
  return { kind: 'date', prefix, lo: range.lo, hi: range.hi };
}

export function parseNumberValue(param: string, raw: string, quantity: boolean): Value {
  const parts = splitEscaped(raw, '|');
  const { prefix, rest } = prefixOf(param, parts[0]);
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(rest)) {
    throw new SearchInputError(param, `Nombre invalide « ${raw} » pour le paramètre ${param}`, `Invalid number "${raw}" for parameter ${param}`);
  }
  if (!quantity && parts.length > 1) {
    throw new SearchInputError(param, `Le paramètre ${param} attend un nombre, pas une quantité`, `Parameter ${param} expects a number, not a quantity`);
  }
  const value = Number(rest);
  // Implicit precision (R4 number search): 100 matches [99.5, 100.5).
  const decimals = /\.(\d+)/.exec(rest.replace(/[eE].*$/, ''))?.[1].length ?? 0;
  const half = 0.5 * 10 ** -decimals;
  return {
    kind: 'number', prefix, value, lo: value - half, hi: value + half,
    system: parts[1] ? unescape(parts[1]) : undefined, code: parts[2] ? unescape(parts[2]) : undefined,
  };
}

export function parseTokenValue(raw: string, ofType = false, param = ''): Value {
  if (ofType) {
    const p = splitEscaped(raw, '|');
    if (p.length !== 3 || !p[1] || !p[2]) {
      throw new SearchInputError(param, `:of-type attend système|code|valeur pour le paramètre ${param}`, `:of-type expects system|code|value for parameter ${param}`);
    }
    return { kind: 'token', identType: `${unescape(p[0])}|${unescape(p[1])}`, code: unescape(p[2]) };
  }
  const parts = splitEscaped(raw, '|');
  if (parts.length === 1) return { kind: 'token', code: unescape(parts[0]) };
  if (parts.length > 2) {
    throw new SearchInputError(param, `Valeur « ${raw} » invalide pour le paramètre ${param} (attendu [système|]code)`, `Invalid value "${raw}" for parameter ${param} (expected [system|]code)`);
  }
  return { kind: 'token', system: unescape(parts[0]), code: parts[1] === '' ? undefined : unescape(parts[1]) };
}

export function parseReferenceValue(raw: string, typeModifier?: string): Value {
  const v = unescape(raw);
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(v);
  if (m) return { kind: 'reference', type: m[1], id: m[2] };
  if (/^[A-Za-z0-9\-.]{1,64}$/.test(v)) return { kind: 'reference', type: typeModifier, id: v };
  return { kind: 'reference', url: v };
}

const UNITS: Record<string, number> = { km: 1000, m: 1, mi: 1609.344, '[mi_i]': 1609.344 };
/** Radius when `near` gives none (R4 leaves it to the server). */
export const DEFAULT_NEAR_KM = 50;

function distance(param: string, dist: string | undefined, unit: string | undefined): number {
  if (dist === undefined || dist === '') return DEFAULT_NEAR_KM * 1000;
  const d = Number(dist);
  const factor = UNITS[unit || 'km'];
  if (!Number.isFinite(d) || d < 0 || factor === undefined) {
    throw new SearchInputError(param, `Distance invalide « ${dist}${unit ? '|' + unit : ''} » pour le paramètre ${param} (unités : km, m, mi)`,
      `Invalid distance "${dist}${unit ? '|' + unit : ''}" for parameter ${param} (units: km, m, mi)`);
  }
  return d * factor;
}

/** `near=lat|lon|dist|unit` */
export function parseNearValue(param: string, raw: string): Value {
  const [lat, lon, dist, unit] = splitEscaped(raw, '|');
  const la = Number(lat);
  const lo = Number(lon);
  if (!lat || !lon || !Number.isFinite(la) || !Number.isFinite(lo) || Math.abs(la) > 90 || Math.abs(lo) > 180) {
    throw new SearchInputError(param, `Position invalide « ${raw} » pour le paramètre ${param} (attendu latitude|longitude|distance|unité)`,
      `Invalid position "${raw}" for parameter ${param} (expected latitude|longitude|distance|unit)`);
  }
  return { kind: 'near', lat: la, lon: lo, meters: distance(param, dist, unit) };
}

/** `near-insee-code=COG|dist|unit`: the commune centroid is resolved by the caller. */
export function parseNearInseeValue(param: string, raw: string, centroid: (cog: string) => { lat: number; lon: number } | undefined): Value {
  const [cog, dist, unit] = splitEscaped(raw, '|');
  const c = centroid(cog);
  if (!c) {
    throw new SearchInputError(param, `Code commune (COG) inconnu « ${cog} » pour le paramètre ${param}`, `Unknown commune code (COG) "${cog}" for parameter ${param}`);
  }
  return { kind: 'near', lat: c.lat, lon: c.lon, meters: distance(param, dist, unit) };
}
