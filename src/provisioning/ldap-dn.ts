/**
 * Distinguished names compared the way a directory compares them (RFC 4514): RDNs split
 * at unescaped commas, escapes undone (\, and \C3\A1 alike), attribute types and values
 * case-folded, values in NFC. `ou=Sở Nội vụ` and `OU=S\E1\BB\9F N\E1\BB\99i v\E1\BB\A5` are one DN.
 */
export function dnParts(dn: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < dn.length; i++) {
    const ch = dn[i]!;
    if (ch === '\\' && i + 1 < dn.length) {
      current += ch + dn[i + 1];
      i++;
    } else if (ch === ',' || ch === ';') {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '' || parts.length > 0) parts.push(current);
  return parts.map(normalizeRdn);
}

/** RFC 4514 §2.4: an escaped character (\,) or hex pairs of UTF-8 bytes (\C3\A1) */
function unescapeValue(value: string): string {
  if (!value.includes('\\')) return value;
  const bytes: number[] = [];
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\' && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
      continue;
    }
    if (bytes.length) {
      out += Buffer.from(bytes).toString('utf8');
      bytes.length = 0;
    }
    if (ch === '\\' && i + 1 < value.length) {
      out += value[i + 1]!;
      i++;
    } else out += ch;
  }
  if (bytes.length) out += Buffer.from(bytes).toString('utf8');
  return out;
}

function normalizeRdn(rdn: string): string {
  const eq = rdn.indexOf('=');
  if (eq < 0) return rdn.trim().toLowerCase();
  const type = rdn.slice(0, eq).trim().toLowerCase();
  const value = unescapeValue(rdn.slice(eq + 1).trim()).normalize('NFC').toLowerCase().replace(/\s+/gu, ' ').trim();
  return `${type}=${value}`;
}

export const normalizeDn = (dn: string): string => dnParts(dn).join(',');

/** The DN one level up, normalised; undefined at the top. */
export function parentDn(dn: string): string | undefined {
  const parts = dnParts(dn);
  return parts.length > 1 ? parts.slice(1).join(',') : undefined;
}

/** Every DN above, normalised, nearest first (the DN is parsed once). */
export function ancestorDns(parts: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(i).join(','));
  return out;
}
