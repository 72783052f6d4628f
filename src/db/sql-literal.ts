/**
 * Bound parameters written into the statement text, for the few statements that take none (`COPY (…) TO STDOUT`).
 * Only plain values are accepted (text, finite numbers, booleans, null, dates and one-dimensional arrays of those);
 * anything else throws, and the caller keeps its parameterised statement. Text is quoted as standard SQL strings
 * (PostgreSQL's `standard_conforming_strings`, on by default since 9.1, is checked by the caller's tests).
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`sqlLiteral: not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'string') return quote(value);
  if (value instanceof Date) return quote(value.toISOString());
  if (Array.isArray(value)) return quote(`{${value.map(arrayElement).join(',')}}`);
  throw new Error(`sqlLiteral: unsupported value of type ${typeof value}`);
}

function quote(s: string): string {
  if (s.includes('\0')) throw new Error('sqlLiteral: NUL character');
  return `'${s.replace(/'/g, "''")}'`;
}

/** An element of an array literal (`{"a","b"}`): double-quoted, with `"` and `\` escaped. */
function arrayElement(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string') return `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  if (v instanceof Date) return `"${v.toISOString()}"`;
  throw new Error(`sqlLiteral: unsupported array element of type ${typeof v}`);
}

/** `sql` with each `$n` placeholder replaced by the literal of `values[n - 1]`. */
export function inlineParams(sql: string, values: readonly unknown[]): string {
  return sql.replace(/\$(\d+)(?!\d)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= values.length) throw new Error(`inlineParams: no value for $${n}`);
    return sqlLiteral(values[i]);
  });
}
