/**
 * RFC 5322 §3.6.4 msg-id lists (Message-ID, In-Reply-To, References), for threading.
 * Comments and folding white space are dropped; ids keep their angle brackets.
 */
export function parseMessageIds(value: string): string[] {
  const text = value.replace(/\([^()]*\)/g, ' ');
  const ids: string[] = [];
  for (const m of text.matchAll(/<([^<>]*)>/g)) {
    const id = (m[1] as string).replace(/\s+/g, '');
    if (id.length > 0) ids.push(`<${id}>`);
  }
  if (ids.length === 0) {
    // a bare "id@host" without brackets, as some mailers write it
    const bare = text.split(/\s+/).find((t) => t.includes('@'));
    if (bare) ids.push(`<${bare}>`);
  }
  return ids;
}
