import { UserError } from '../shared/errors.js';

/** A sheet as text cells; `rowNumbers[i]` is the sheet row of `rows[i]` (the header is row 1). */
export interface Table {
  header: string[];
  rows: string[][];
  rowNumbers: number[];
}

/**
 * The text of a CSV file as Excel and LibreOffice write it: UTF-8 with or without a BOM,
 * or UTF-16 with a BOM ("Unicode Text", little-endian as Windows writes it, or big-endian).
 */
export function decodeSpreadsheetText(bytes: Uint8Array, file: string): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start));
  } catch {
    throw new UserError('bad-spreadsheet-encoding', `${file} is neither UTF-8 nor UTF-16 with a BOM; in Excel save it as "CSV UTF-8 (Comma delimited)" or "Unicode Text"`);
  }
}

/** The delimiter of the header line: the most frequent of comma, semicolon and tab outside quotes. */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0]]);
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}

/**
 * RFC 4180 records: fields in double quotes may hold the delimiter, line breaks and
 * doubled quotes; CRLF or LF ends a record. Blank lines are skipped but counted, so a
 * row number is the one HR sees in Excel (a cell's own line breaks do not count).
 */
export function parseCsv(text: string, delimiter = detectDelimiter(text)): Table {
  const records: Array<{ cells: string[]; row: number }> = [];
  let cells: string[] = [];
  let field = '';
  let quoted = false;
  let row = 1;
  let recordRow = 1;
  let fieldStarted = false;
  const endRecord = () => {
    cells.push(field);
    if (cells.length > 1 || cells[0] !== '') records.push({ cells, row: recordRow });
    cells = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (ch === delimiter) {
      cells.push(field);
      field = '';
      fieldStarted = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      row++;
      recordRow = row;
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (field !== '' || cells.length > 0) endRecord();
  const [head, ...rest] = records;
  if (!head) throw new UserError('empty-spreadsheet', 'the spreadsheet is empty: the first row must name the columns');
  return { header: head.cells, rows: rest.map((r) => r.cells), rowNumbers: rest.map((r) => r.row) };
}
