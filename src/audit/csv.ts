/** RFC 4180 CSV: one record per line, fields quoted only when they must be. */

// RFC 4180 §2.6: fields containing line breaks, double quotes or commas are enclosed in double quotes
const NEEDS_QUOTES = /[",\r\n]/;
/** cells Excel (and LibreOffice) would run as a formula */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: string, guardFormulas = false): string {
  const v = guardFormulas && FORMULA_START.test(value) ? `'${value}` : value;
  // RFC 4180 §2.7: a double quote inside a quoted field is escaped by another double quote
  return NEEDS_QUOTES.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** RFC 4180 §2.1: each record ends with CRLF */
export function csvRecord(values: string[], guardFormulas = false): string {
  return `${values.map((v) => csvField(v, guardFormulas)).join(',')}\r\n`;
}

/** the UTF-8 byte order mark, by which Excel knows the file is UTF-8 */
export const UTF8_BOM = '\uFEFF';
