/**
 * Indicator figures as an Excel workbook (XLSX, through exceljs): one sheet per table, a bold frozen header,
 * numbers kept as numbers (rates formatted as percentages) so that regions can sort, filter and chart them.
 */
import ExcelJS from 'exceljs';

export interface Sheet {
  /** Sheet name (Excel: at most 31 characters, no []:*?/\). */
  name: string;
  rows: Record<string, unknown>[];
}

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Columns holding a rate in [0, 1]: shown as a percentage. */
const RATE = /^(rate|conformity|taux|reference|objectif|objective)$/i;

const sheetName = (s: string) => s.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Feuille';

export async function toXlsx(sheets: Sheet[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'ROR — indicateurs';
  wb.created = new Date(0); // deterministic bytes for the same figures
  for (const s of sheets) {
    const ws = wb.addWorksheet(sheetName(s.name), { views: [{ state: 'frozen', ySplit: 1 }] });
    const cols = s.rows.length ? Object.keys(s.rows[0]!) : ['(aucune ligne)'];
    ws.columns = cols.map((c) => ({ header: c, key: c, width: Math.min(60, Math.max(10, c.length + 2, ...s.rows.slice(0, 200).map((r) => String(r[c] ?? '').length + 2))) }));
    ws.getRow(1).font = { bold: true };
    for (const r of s.rows) ws.addRow(Object.fromEntries(cols.map((c) => [c, r[c] === null || r[c] === undefined ? '' : r[c]])));
    cols.forEach((c, i) => {
      if (RATE.test(c)) ws.getColumn(i + 1).numFmt = '0.0%';
    });
    if (s.rows.length) ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: cols.length } };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Reads a workbook back (tests, and anyone checking an export): sheet name → rows keyed by the header. */
export async function readXlsx(bytes: Buffer | ArrayBuffer): Promise<Map<string, Record<string, unknown>[]>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as ArrayBuffer);
  const out = new Map<string, Record<string, unknown>[]>();
  wb.eachSheet((ws) => {
    const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
    const rows: Record<string, unknown>[] = [];
    ws.eachRow((row, n) => {
      if (n === 1) return;
      const v = (row.values as unknown[]).slice(1);
      rows.push(Object.fromEntries(header.map((h, i) => [h, v[i] ?? ''])));
    });
    out.set(ws.name, rows);
  });
  return out;
}
