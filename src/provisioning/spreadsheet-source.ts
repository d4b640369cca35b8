import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { UserError } from '../shared/errors.js';
import { tryNormalizeAddress } from '../identity/address.js';
import { decodeSpreadsheetText, parseCsv, type Table } from './csv.js';
import { readXlsx } from './xlsx.js';
import { displayName } from './names.js';
import type { SourceAgency, SourcePerson, SourceProblem, SourceSnapshot } from './source.js';

type Columns = Config['provisioning']['spreadsheet']['columns'];
type ColumnKey = keyof Columns;

const REQUIRED: readonly ColumnKey[] = ['id', 'fullName', 'agencyCode'];
/** the agency code rule of src/identity/agencies.ts */
const AGENCY_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** external id of an agency that exists only as a code in HR's sheets */
export const sheetAgencyId = (code: string) => `sheet:${code.toUpperCase()}`;

const headerKey = (text: string) => text.normalize('NFC').trim().replace(/\s+/gu, ' ').toLowerCase();

/** Which column holds which field; a missing required column stops the import, naming it. */
function mapColumns(header: string[], columns: Columns, file: string): Partial<Record<ColumnKey, number>> {
  const index = new Map(header.map((h, i) => [headerKey(h), i] as const));
  const found: Partial<Record<ColumnKey, number>> = {};
  for (const key of Object.keys(columns) as ColumnKey[]) {
    const i = index.get(headerKey(columns[key]));
    if (i !== undefined) found[key] = i;
  }
  const missing = REQUIRED.filter((k) => found[k] === undefined);
  if (missing.length) {
    throw new UserError(
      'spreadsheet-columns',
      `${file}: no column ${missing.map((k) => `"${columns[k]}"`).join(', ')} in the header row (it has: ${header.map((h) => `"${h.trim()}"`).join(', ')}); ` +
        'name the columns so, or map them in provisioning.spreadsheet.columns',
    );
  }
  return found;
}

/** HR sheets often open with a title ("DANH SÁCH CÁN BỘ …"): the header is the first of the top rows naming the required columns. */
function findHeader(table: Table, columns: Columns): Table {
  const names = (cells: string[]) => new Set(cells.map(headerKey));
  const complete = (cells: string[]) => REQUIRED.every((k) => names(cells).has(headerKey(columns[k])));
  if (complete(table.header)) return table;
  const at = table.rows.slice(0, 10).findIndex(complete);
  if (at < 0) return table;
  return { header: table.rows[at]!, rows: table.rows.slice(at + 1), rowNumbers: table.rowNumbers.slice(at + 1) };
}

/** People and agencies from HR's table; each bad row becomes a problem with its row number and reason. */
export function snapshotFromTable(sheet: Table, columns: Columns, kind: 'csv' | 'xlsx', file: string): SourceSnapshot {
  const table = findHeader(sheet, columns);
  const col = mapColumns(table.header, columns, file);
  const people: SourcePerson[] = [];
  const problems: SourceProblem[] = [];
  const agencies = new Map<string, SourceAgency>();
  const firstRowOfId = new Map<string, number>();
  table.rows.forEach((cells, i) => {
    const rowNumber = table.rowNumbers[i]!;
    const origin = `row ${rowNumber}`;
    const cell = (key: ColumnKey) => {
      const at = col[key];
      return at === undefined ? '' : (cells[at] ?? '').normalize('NFC').trim();
    };
    if (cells.every((c) => c.trim() === '')) return;
    const bad = (reason: string) => problems.push({ origin, reason });
    const id = cell('id');
    const fullName = displayName(cell('fullName'));
    const code = cell('agencyCode').toUpperCase();
    const mail = cell('mail');
    if (!id) return void bad(`no staff id in column "${columns.id}"`);
    const seen = firstRowOfId.get(id);
    if (seen !== undefined) return void bad(`staff id ${id} appears again (first on row ${seen})`);
    firstRowOfId.set(id, rowNumber);
    if (!fullName) return void bad(`no name in column "${columns.fullName}"`);
    if (!code) return void bad(`no agency code in column "${columns.agencyCode}"`);
    if (!AGENCY_CODE.test(code)) return void bad(`"${code}" is not an agency code (letters, digits, ".", "_", "-")`);
    if (mail && !tryNormalizeAddress(mail)) return void bad(`"${mail}" in column "${columns.mail}" is not an email address`);
    const parent = cell('parentAgencyCode').toUpperCase();
    if (parent && !AGENCY_CODE.test(parent)) return void bad(`"${parent}" is not an agency code (letters, digits, ".", "_", "-")`);
    const agency = agencies.get(code);
    const agencyName = cell('agencyName');
    if (!agency) {
      agencies.set(code, { externalId: sheetAgencyId(code), code, name: agencyName || code, parentExternalId: parent ? sheetAgencyId(parent) : null, origin });
    } else {
      if (agency.name === code && agencyName) agency.name = agencyName;
      if (!agency.parentExternalId && parent) agency.parentExternalId = sheetAgencyId(parent);
    }
    people.push({ externalId: id, fullName, ...(mail ? { mail } : {}), title: cell('title'), agencyExternalId: sheetAgencyId(code), origin });
  });
  // a parent named only as a parent still needs to be an agency
  for (const a of [...agencies.values()]) {
    const parentCode = a.parentExternalId?.slice('sheet:'.length);
    if (parentCode && !agencies.has(parentCode)) {
      agencies.set(parentCode, { externalId: sheetAgencyId(parentCode), code: parentCode, name: parentCode, parentExternalId: null, origin: a.origin });
    }
  }
  return { kind, description: path.basename(file), agencies: [...agencies.values()], people, groups: [], problems };
}

/** Reads a CSV or XLSX file (by its extension) into a snapshot. */
export async function readSpreadsheet(file: string, config: Readonly<Config['provisioning']['spreadsheet']>): Promise<SourceSnapshot> {
  const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
    throw new UserError('no-such-file', `cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  return readSpreadsheetBytes(bytes, file, config);
}

/** A CSV or XLSX file's bytes (an upload, a file read) into a snapshot; the name's extension says which. */
export async function readSpreadsheetBytes(bytes: Buffer, file: string, config: Readonly<Config['provisioning']['spreadsheet']>): Promise<SourceSnapshot> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.xlsx') return snapshotFromTable(await readXlsx(bytes, file, config.sheet), config.columns, 'xlsx', file);
  if (ext === '.csv' || ext === '.txt') return snapshotFromTable(parseCsv(decodeSpreadsheetText(bytes, file)), config.columns, 'csv', file);
  throw new UserError('bad-spreadsheet', `${file}: expected a .csv, .txt (Unicode Text) or .xlsx file`);
}
