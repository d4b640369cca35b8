import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { decodeSpreadsheetText, detectDelimiter, parseCsv } from '../../../src/provisioning/csv.js';
import { readSpreadsheet, sheetAgencyId } from '../../../src/provisioning/spreadsheet-source.js';

const config = loadConfig({ env: {}, file: undefined }).provisioning.spreadsheet;
const dir = mkdtempSync(path.join(os.tmpdir(), 'hopthu-sheets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = ['Mã cán bộ', 'Họ và tên', 'Email', 'Chức vụ', 'Mã đơn vị', 'Tên đơn vị', 'Mã đơn vị cấp trên'];
const ROWS = [
  ['CB001', 'Nguyễn Văn An', '', 'Chuyên viên', 'SNV', 'Sở Nội vụ', ''],
  ['CB002', 'Đặng Thị Thu Hà', 'ha.dang@tinh.gov.vn', 'Trưởng phòng, Phòng Tổ chức', 'SNV-TC', 'Phòng Tổ chức', 'SNV'],
  ['CB003', 'Giàng A Páo', '', 'Cán bộ "một cửa"', 'UBND-XA-A', 'UBND xã A', ''],
];
const csvOf = (rows: string[][], d: string) => rows.map((r) => r.map((c) => (/[",;\t\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(d)).join('\r\n') + '\r\n';

function write(name: string, bytes: Buffer | string) {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

describe('CSV text', () => {
  it('quoted fields keep delimiters, doubled quotes and line breaks; a row number is the Excel row', () => {
    const t = parseCsv('a;b\r\n"x;1";"say ""hi"""\r\n\r\n"two\nlines";z\n');
    expect(t.header).toEqual(['a', 'b']);
    expect(t.rows).toEqual([['x;1', 'say "hi"'], ['two\nlines', 'z']]);
    expect(t.rowNumbers).toEqual([2, 4]);
  });

  it('finds comma, semicolon or tab from the header row', () => {
    expect(detectDelimiter('a,b,c\n1;2')).toBe(',');
    expect(detectDelimiter('"a,x";b;c\n')).toBe(';');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
  });

  it('refuses bytes that are not UTF-8, saying how to save the file', () => {
    expect(() => decodeSpreadsheetText(Buffer.from([0x4e, 0x67, 0xe3, 0x20, 0x41]), 'x.csv')).toThrow(/CSV UTF-8/);
  });
});

describe('HR spreadsheets', () => {
  const expectPeople = async (file: string, kind: 'csv' | 'xlsx') => {
    const snap = await readSpreadsheet(file, config);
    expect(snap.kind).toBe(kind);
    expect(snap.problems).toEqual([]);
    expect(snap.people.map((p) => [p.externalId, p.fullName, p.mail ?? '', p.title, p.agencyExternalId])).toEqual([
      ['CB001', 'Nguyễn Văn An', '', 'Chuyên viên', 'sheet:SNV'],
      ['CB002', 'Đặng Thị Thu Hà', 'ha.dang@tinh.gov.vn', 'Trưởng phòng, Phòng Tổ chức', 'sheet:SNV-TC'],
      ['CB003', 'Giàng A Páo', '', 'Cán bộ "một cửa"', 'sheet:UBND-XA-A'],
    ]);
    expect(snap.agencies.map((a) => [a.code, a.name, a.parentExternalId])).toEqual([
      ['SNV', 'Sở Nội vụ', null],
      ['SNV-TC', 'Phòng Tổ chức', 'sheet:SNV'],
      ['UBND-XA-A', 'UBND xã A', null],
    ]);
  };

  it('CSV in UTF-8 without a BOM, comma-separated', async () => {
    await expectPeople(write('plain.csv', csvOf([HEADER, ...ROWS], ',')), 'csv');
  });

  it('CSV in UTF-8 with a BOM, semicolon-separated (Excel in a Vietnamese locale)', async () => {
    await expectPeople(write('bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csvOf([HEADER, ...ROWS], ';'))])), 'csv');
  });

  it('UTF-16LE with a BOM and tabs, as Excel saves "Unicode Text"', async () => {
    const text = csvOf([HEADER, ...ROWS], '\t');
    await expectPeople(write('unicode.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])), 'csv');
  });

  it('UTF-16LE with a BOM and commas', async () => {
    const text = csvOf([HEADER, ...ROWS], ',');
    await expectPeople(write('utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])), 'csv');
  });

  it('names in NFD are read as NFC; headers match ignoring case and spaces', async () => {
    const header = HEADER.map((h) => `  ${h.toUpperCase()} `);
    const snap = await readSpreadsheet(write('nfd.csv', csvOf([header, ...ROWS.map((r) => r.map((c) => c.normalize('NFD')))], ',')), config);
    expect(snap.people.map((p) => p.fullName)).toEqual(['Nguyễn Văn An', 'Đặng Thị Thu Hà', 'Giàng A Páo']);
  });

  it('XLSX, first worksheet, header row mapped the same way', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Danh sách');
    ws.addRow(HEADER);
    for (const r of ROWS) ws.addRow(r);
    await expectPeople(write('staff.xlsx', Buffer.from(await wb.xlsx.writeBuffer())), 'xlsx');
  });

  it('bad rows are reported with row number and reason; the good rows are read', async () => {
    const rows = [
      HEADER,
      ROWS[0]!,
      ['', 'Không Có Mã', '', '', 'SNV', '', ''],
      ['CB001', 'Trùng Mã', '', '', 'SNV', '', ''],
      ['CB010', '   ', '', '', 'SNV', '', ''],
      ['CB011', 'Lò Văn Xuân', '', '', '', '', ''],
      ['CB012', 'Lò Thị Ỉn', 'khong-phai-email', '', 'SNV', '', ''],
      ['CB013', 'Vàng Mí Sính', '', '', 'SỞ NỘI VỤ', '', ''],
      ['', '', '', '', '', '', ''],
      ROWS[2]!,
    ];
    const snap = await readSpreadsheet(write('bad.csv', csvOf(rows, ',')), config);
    expect(snap.people.map((p) => p.externalId)).toEqual(['CB001', 'CB003']);
    expect(snap.problems).toEqual([
      { origin: 'row 3', reason: 'no staff id in column "Mã cán bộ"' },
      { origin: 'row 4', reason: 'staff id CB001 appears again (first on row 2)' },
      { origin: 'row 5', reason: 'no name in column "Họ và tên"' },
      { origin: 'row 6', reason: 'no agency code in column "Mã đơn vị"' },
      { origin: 'row 7', reason: '"khong-phai-email" in column "Email" is not an email address' },
      { origin: 'row 8', reason: '"SỞ NỘI VỤ" is not an agency code (letters, digits, ".", "_", "-")' },
    ]);
  });

  it('title rows above the header are skipped; row numbers stay those of the sheet', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('DS');
    ws.addRow(['DANH SÁCH CÁN BỘ, CÔNG CHỨC TỈNH']);
    ws.addRow(['(kèm theo Công văn số 123/SNV-TCCB)']);
    ws.addRow(HEADER);
    ws.addRow(ROWS[0]!);
    ws.addRow(['', 'Không Có Mã', '', '', 'SNV', '', '']);
    const snap = await readSpreadsheet(write('title.xlsx', Buffer.from(await wb.xlsx.writeBuffer())), config);
    expect(snap.people.map((p) => p.externalId)).toEqual(['CB001']);
    expect(snap.problems).toEqual([{ origin: 'row 5', reason: 'no staff id in column "Mã cán bộ"' }]);
  });

  it('a missing required column stops the import, naming it and the columns found', async () => {
    const file = write('nocol.csv', 'Mã cán bộ,Tên\nCB1,An\n');
    await expect(readSpreadsheet(file, config)).rejects.toThrow(/no column "Họ và tên", "Mã đơn vị" in the header row \(it has: "Mã cán bộ", "Tên"\)/);
  });

  it('a file of another kind is refused', async () => {
    await expect(readSpreadsheet(write('x.pdf', 'x'), config)).rejects.toThrow(/expected a \.csv/);
    expect(sheetAgencyId('snv')).toBe('sheet:SNV');
  });
});
