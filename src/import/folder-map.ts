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
 * RFC 6154 SPECIAL-USE first, then the folder's name. The old server's hierarchy
 * delimiter becomes "/", hopthu's.
 */
export function mapFolder(path: string, delimiter: string | null, specialUse: string | null): FolderTarget {
  if (path.toUpperCase() === 'INBOX') return { kind: 'inbox' };
  const special = BY_NAME.find(([use]) => use === specialUse);
  if (special) return { kind: 'special', use: special[0], name: special[1] };
  // only a top-level folder is taken for a special one by its name
  const isTopLevel = !delimiter || !path.includes(delimiter);
  const byName = isTopLevel ? BY_NAME.find(([, , names]) => names.includes(fold(path))) : undefined;
  if (byName) return { kind: 'special', use: byName[0], name: byName[1] };
  const name = delimiter && delimiter !== '/' ? path.split(delimiter).map((p) => p.replaceAll('/', '_')).join('/') : path;
  return { kind: 'named', name };
}
