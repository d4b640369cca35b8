/**
 * RFC 8601 §5: a border MTA removes Authentication-Results fields that claim to come
 * from its own authserv-id before adding its own, so a sender cannot forge a pass.
 * Works on the header section at the start of `head`; returns undefined when nothing
 * needs removing (the message is then stored untouched).
 */
export function withoutForgedAuthResults(head: Buffer, authservId: string): { header: Buffer; resumeAt: number } | undefined {
  const end = headerEnd(head);
  if (end < 0) return undefined;
  const lines = splitFields(head.subarray(0, end));
  const id = authservId.toLowerCase();
  const kept = lines.filter((field) => {
    const m = /^authentication-results:\s*([^\s;]+)/i.exec(field.toString('latin1'));
    return !m || m[1]!.toLowerCase() !== id;
  });
  if (kept.length === lines.length) return undefined;
  return { header: Buffer.concat(kept), resumeAt: end };
}

/** Offset just past the header fields, where the empty line begins; -1 if not in `head`. */
function headerEnd(head: Buffer): number {
  if (head.subarray(0, 2).toString('latin1') === '\r\n' || head[0] === 0x0a) return 0;
  const crlf = head.indexOf('\r\n\r\n');
  const lf = head.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return -1;
  if (crlf >= 0 && (lf < 0 || crlf + 1 <= lf)) return crlf + 2;
  return lf + 1;
}

/** Each field with its continuation lines and line end, byte for byte. */
function splitFields(section: Buffer): Buffer[] {
  const fields: Buffer[] = [];
  let start = 0;
  let pos = 0;
  while (pos < section.length) {
    const nl = section.indexOf(0x0a, pos);
    const next = nl < 0 ? section.length : nl + 1;
    const following = section[next];
    // RFC 5322 §2.2.3: a line starting with white space continues the field
    if (next >= section.length || (following !== 0x20 && following !== 0x09)) {
      fields.push(section.subarray(start, next));
      start = next;
    }
    pos = next;
  }
  return fields;
}
