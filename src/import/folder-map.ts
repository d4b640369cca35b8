import type { SpecialUse } from '../mail/mailboxes.js';

/** Where a folder of the old server goes: the account's special folder, or a folder of the same name. */
export type FolderTarget = { kind: 'inbox' } | { kind: 'special'; use: SpecialUse; name: string } | { kind: 'named'; name: string };

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase().replace(/\s+/g, ' ').trim();

/** Common names of special folders, in the languages a province's old servers and clients use (folded: no diacritics, lower case). */
const BY_NAME: Array<[SpecialUse, string, string[]]> = [
  ['\\Sent', 'Sent', ['sent', 'sent items', 'sent messages', 'sent mail', 'thu da gui', 'da gui', 'hop thu di', 'thu di']],
  ['\\Drafts', 'Drafts', ['drafts', 'draft', 'thu nhap', 'nhap', 'ban nhap']],
  ['\\Trash', 'Trash', ['trash', 'deleted items', 'deleted messages', 'deleted', 'bin', 'thung rac', 'da xoa', 'thu da xoa']],
  ['\\Junk', 'Junk', ['junk', 'junk e-mail', 'junk email', 'spam', 'bulk mail', 'thu rac', 'thu spam']],
  ['\\Archive', 'Archive', ['archive', 'archives', 'luu tru', 'thu luu tru']],
];

/**
 * Characters an old server allows in a folder name that hopthu's names cannot hold
 * (RFC 9051 §6.3.9: "*" and "%" are LIST wildcards; Dovecot accepts them), as their
 * full-width forms, which read the same.
 */
const UNLISTABLE: Record<string, string> = { '*': '\uff0a', '%': '\uff05' };

/**
 * RFC 6154 SPECIAL-USE first, then the folder's name. The personal namespace's prefix
 * ("INBOX." on servers that keep the Courier layout, RFC 2342 §5) is not part of the
 * name, and the old server's hierarchy delimiter becomes "/", hopthu's.
 */
export function mapFolder(path: string, delimiter: string | null, specialUse: string | null, personalPrefix = ''): FolderTarget {
  if (path.toUpperCase() === 'INBOX') return { kind: 'inbox' };
  const relative = personalPrefix && path.startsWith(personalPrefix) && path.length > personalPrefix.length ? path.slice(personalPrefix.length) : path;
  const special = BY_NAME.find(([use]) => use === specialUse);
  if (special) return { kind: 'special', use: special[0], name: special[1] };
  // only a top-level folder is taken for a special one by its name
  const isTopLevel = !delimiter || !relative.includes(delimiter);
  const byName = isTopLevel ? BY_NAME.find(([, , names]) => names.includes(fold(relative))) : undefined;
  if (byName) return { kind: 'special', use: byName[0], name: byName[1] };
  const levels = delimiter && delimiter !== '/' ? relative.split(delimiter).map((p) => p.replaceAll('/', '_')) : [relative];
  return { kind: 'named', name: levels.join('/').replace(/[*%]/g, (c) => UNLISTABLE[c]!) };
}
