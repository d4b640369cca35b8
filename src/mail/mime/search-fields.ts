import { domainToASCII } from 'node:url';
import { parseAddressList, type RawAddress } from './addresses.js';
import { decodeHeaderText } from './encoded-words.js';
import { findFirst, unfoldedValue, type HeaderField } from './header-fields.js';
import { parseMessageDate } from './message-date.js';
import { parseMessageIds } from './message-ids.js';
import type { SearchAddress, SearchFields } from './types.js';

/** octets to text for search; NUL dropped, as PostgreSQL text and jsonb cannot hold U+0000 */
const utf8 = (b: Buffer): string => b.toString('utf8').replaceAll('\0', '');

function asciiAddress(mailbox: Buffer, host: Buffer): string {
  const domain = utf8(host).toLowerCase();
  return `${utf8(mailbox).toLowerCase()}@${domainToASCII(domain) || domain}`;
}

/** Flattens RFC 3501-style address lists (group markers included) into searchable entries. */
function searchAddresses(list: readonly RawAddress[]): SearchAddress[] {
  const out: SearchAddress[] = [];
  let group: string | null = null;
  let members = 0;
  for (const a of list) {
    if (a.host === null && a.mailbox !== null && group === null) {
      group = decodeHeaderText(a.mailbox);
      members = 0;
    } else if (a.host === null && a.mailbox === null) {
      if (group !== null && members === 0) out.push({ name: group, address: null, group });
      group = null;
    } else if (a.mailbox !== null && a.host !== null) {
      members++;
      out.push({ name: a.name ? decodeHeaderText(a.name) : null, address: asciiAddress(a.mailbox, a.host), group });
    }
  }
  return out;
}

/**
 * The header fields SEARCH, SORT and THREAD need, decoded once at delivery. Address
 * fields gather every occurrence of the header; Date and the ids come from the first.
 */
export function buildSearchFields(raw: Buffer, fields: readonly HeaderField[]): SearchFields {
  const all = (name: string): Buffer[] => fields.filter((f) => f.name === name).map((f) => unfoldedValue(raw, f));
  const addresses = (name: string): SearchAddress[] =>
    all(name).flatMap((v) => searchAddresses(parseAddressList(v) ?? []));
  const first = (name: string): string | null => {
    const f = findFirst(fields, name);
    return f ? utf8(unfoldedValue(raw, f)) : null;
  };
  const date = parseMessageDate(first('date') ?? '');
  return {
    subjects: all('subject').map((v) => decodeHeaderText(v)),
    from: addresses('from'),
    to: addresses('to'),
    cc: addresses('cc'),
    bcc: addresses('bcc'),
    sentAt: date ? date.utc : null,
    sentDay: date ? date.day : null,
    messageId: parseMessageIds(first('message-id') ?? '')[0] ?? null,
    inReplyTo: parseMessageIds(first('in-reply-to') ?? ''),
    references: parseMessageIds(first('references') ?? ''),
  };
}
