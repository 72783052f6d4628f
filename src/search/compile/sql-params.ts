/** Bound parameters of one SQL statement: every value goes through `add`, never into the text. */
export class SqlParams {
  readonly values: unknown[] = [];
  private aliasSeq = 0;

  /** Binds a value; returns its placeholder with an explicit cast (`$3::text[]`). */
  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }

  /** A fresh table alias for a sub-query. */
  alias(prefix = 't'): string {
    return `${prefix}${++this.aliasSeq}`;
  }
}
