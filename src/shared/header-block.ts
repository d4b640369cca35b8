export interface HeaderField {
  /** lower-cased field name */
  name: string;
  /** unfolded value (RFC 5322 §2.2.3), bytes read as UTF-8 */
  value: string;
}

/**
 * The header fields at the start of a message: up to the first empty line
 * (RFC 5322 §2.1). Tolerates bare LF line ends.
 */
export function parseHeaderBlock(head: Buffer): HeaderField[] {
  let end = head.indexOf('\r\n\r\n');
  const lfEnd = head.indexOf('\n\n');
  if (end < 0 || (lfEnd >= 0 && lfEnd < end)) end = lfEnd;
  const text = head.subarray(0, end < 0 ? head.length : end).toString('utf8');
  const fields: HeaderField[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && fields.length) {
      fields[fields.length - 1]!.value += line;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
  }
  return fields;
}

export const fieldValues = (fields: readonly HeaderField[], name: string) => fields.filter((f) => f.name === name).map((f) => f.value);
