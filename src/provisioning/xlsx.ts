import { UserError } from '../shared/errors.js';
import type { Table } from './csv.js';

/** The first (or the named) worksheet of an XLSX file as text cells; the first non-empty row is the header. */
export async function readXlsx(bytes: Buffer, file: string, sheetName?: string): Promise<Table> {
  // imported here: ExcelJS is some 300 modules, and most who read a sheet read a CSV (hopthu provision plan --source csv)
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    throw new UserError('bad-spreadsheet', `${file} is not a readable XLSX workbook: ${(err as Error).message}`);
  }
  const sheet = sheetName ? workbook.getWorksheet(sheetName) : workbook.worksheets[0];
  if (!sheet) {
    const names = workbook.worksheets.map((w) => w.name).join(', ');
    throw new UserError('no-such-sheet', sheetName ? `${file} has no worksheet "${sheetName}" (it has: ${names})` : `${file} has no worksheet`);
  }
  const lines: Array<{ cells: string[]; row: number }> = [];
  sheet.eachRow((row, rowNumber) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cell.text ?? '';
    });
    lines.push({ cells: Array.from(cells, (c) => c ?? ''), row: rowNumber });
  });
  const [head, ...rest] = lines;
  if (!head) throw new UserError('empty-spreadsheet', `${file} is empty: the first row must name the columns`);
  return { header: head.cells, rows: rest.map((l) => l.cells), rowNumbers: rest.map((l) => l.row) };
}
