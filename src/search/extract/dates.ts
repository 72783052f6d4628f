/**
 * FHIR date / dateTime / instant values as the time range they cover: [lo, hi). A value of day
 * precision covers the whole day; a value without time zone is taken as UTC (documented choice).
 */
export interface DateRange {
  lo: Date;
  hi: Date;
}

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

export const MIN_DATE = new Date('0001-01-01T00:00:00Z');
export const MAX_DATE = new Date('9999-12-31T23:59:59.999Z');

/** The range of a FHIR date/dateTime/instant string, or undefined when it is not one. */
export function parseDateRange(value: string): DateRange | undefined {
  const m = DATE_RE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const year = Number(y);
  if (year < 1000) return undefined;
  const month = mo ? Number(mo) - 1 : 0;
  if (mo && (month < 0 || month > 11)) return undefined;
  const day = d ? Number(d) : 1;
  if (d && (day < 1 || day > 31)) return undefined;
  if (h === undefined) {
    const lo = new Date(Date.UTC(year, month, day));
    if (lo.getUTCMonth() !== month) return undefined;
    const hi = d ? new Date(Date.UTC(year, month, day + 1)) : mo ? new Date(Date.UTC(year, month + 1, 1)) : new Date(Date.UTC(year + 1, 0, 1));
    return { lo, hi };
  }
  const offsetMin = !tz || tz === 'Z' ? 0 : (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6)));
  if (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59)) return undefined;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  const base = Date.UTC(year, month, day, Number(h), Number(mi), s ? Number(s) : 0, ms) - offsetMin * 60_000;
  const step = frac ? 1 : s !== undefined ? 1000 : 60_000;
  return { lo: new Date(base), hi: new Date(base + step) };
}
