import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse/sync';

/**
 * `;`-separated records from a text stream, numbered by the line where each starts. Plain lines (no
 * quote: nearly all of them) are split directly; a line with quotes — possibly continued over several
 * lines by a quoted line break — is handed to csv-parse. Measured on a 34 MB etalab file: 0.6 s for the
 * split versus 18 s for csv-parse on every line, with the same result.
 */

export type CsvLine = { line: number; fields: string[] } | { line: number; error: string };

/** Quotes balanced: an even number of `"` (escaped quotes come in pairs). */
function balanced(text: string): boolean {
  let n = 0;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) n++;
  return n % 2 === 0;
}

/** Records of `input` (decoded text); `maxLines` bounds a quoted field running over several lines. */
export async function* csvLines(input: Readable, delimiter = ';', maxLines = 20): AsyncGenerator<CsvLine> {
  const parseQuoted = (text: string, line: number): CsvLine => {
    try {
      const rows = parseCsv(text, { delimiter, relax_quotes: true, relax_column_count: true }) as string[][];
      if (rows.length !== 1) return { line, error: `${rows.length} enregistrements sur une ligne` };
      return { line, fields: rows[0]! };
    } catch (err) {
      return { line, error: (err as Error).message };
    }
  };
  // Lines of a quoted field still open: [line number, text].
  let open: [number, string][] = [];
  function* settle(force: boolean): Generator<CsvLine> {
    while (open.length) {
      const text = open.map(([, t]) => t).join('\n');
      if (balanced(text)) {
        yield parseQuoted(text, open[0]![0]);
        open = [];
        return;
      }
      if (!force && open.length < maxLines) return;
      // Never closed: the first line is bad on its own; the lines after it are read again.
      const [[line, first], ...rest] = open;
      yield { line: line!, error: `guillemet non fermé : ${first!.slice(0, 60)}` };
      open = [];
      for (const [l, t] of rest) {
        if (open.length) open.push([l, t]);
        else yield* single(l, t);
      }
    }
  }
  function* single(line: number, text: string): Generator<CsvLine> {
    if (text === '') return;
    if (!text.includes('"')) {
      yield { line, fields: text.split(delimiter) };
      return;
    }
    const alone = parseQuoted(text, line);
    // A quote inside an unquoted field is literal (relax_quotes): the line stands on its own.
    if ('fields' in alone || balanced(text)) yield alone;
    else open = [[line, text]];
  }
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  for await (let text of lines) {
    n++;
    if (n === 1) text = text.replace(/^(\uFEFF|\xEF\xBB\xBF)/, '');
    if (open.length) {
      open.push([n, text]);
      yield* settle(false);
    } else yield* single(n, text);
  }
  yield* settle(true);
}
