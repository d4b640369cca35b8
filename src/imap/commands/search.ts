import { searchMailbox, uidSetOf, type SearchKey as MailSearchKey } from '../../mail/index.js';
import { SELECTED, type Command } from '../command.js';
import { esearchValues, onlySaves } from './esearch.js';
import { atom, untagged } from '../protocol/response-writer.js';
import type { SearchKey, SearchReturn } from '../protocol/search-args.js';
import type { ReadCommand } from '../protocol/reader-types.js';
import type { SelectedMailbox } from '../selected-mailbox.js';

const NOTHING: MailSearchKey = { key: 'not', query: { key: 'all' } };

/**
 * The protocol's SEARCH AST in the store's terms: sequence numbers become UIDs of this
 * session's view, and \Recent (not kept) matches nothing (RFC 9051 §6.4.4: RECENT).
 */
export function toMailQuery(k: SearchKey, sel: SelectedMailbox): MailSearchKey {
  switch (k.kind) {
    case 'all':
      return { key: 'all' };
    case 'flag':
      if (k.flag === '\\Recent') return k.set ? NOTHING : { key: 'all' };
      return { key: 'flag', flag: k.flag, set: k.set };
    case 'keyword':
      return { key: 'keyword', keyword: k.keyword, set: k.set };
    case 'header':
      if (k.key === 'HEADER') return { key: 'header', field: k.field, value: k.value };
      return { key: k.key.toLowerCase() as 'from', value: k.value };
    case 'text':
      return { key: k.key === 'BODY' ? 'body' : 'text', value: k.value };
    case 'date': {
      const sent = k.key.startsWith('SENT');
      const op = k.key.replace('SENT', '').toLowerCase() as 'before' | 'on' | 'since';
      return { key: sent ? 'sentdate' : 'internaldate', op, day: k.date };
    }
    case 'size':
      return { key: 'size', op: k.key === 'LARGER' ? 'larger' : 'smaller', octets: k.octets };
    case 'within':
      return { key: k.key === 'OLDER' ? 'older' : 'younger', seconds: k.seconds };
    case 'modseq':
      return { key: 'modseq', modseq: k.modseq };
    case 'seq': {
      // RFC 9051 §6.4.4: numbers past EXISTS simply match nothing
      const uids = sel.uidsOfSeqSet(k.set).uids;
      return uids.length ? { key: 'uid', uids: uidSetOf(uids) } : NOTHING;
    }
    case 'uid': {
      const uids = sel.uidsOfUidSet(k.set);
      return uids.length ? { key: 'uid', uids: uidSetOf(uids) } : NOTHING;
    }
    case 'not':
      return { key: 'not', query: toMailQuery(k.key, sel) };
    case 'or':
      return { key: 'or', left: toMailQuery(k.left, sel), right: toMailQuery(k.right, sel) };
    case 'and':
      return { key: 'and', all: k.keys.map((x) => toMailQuery(x, sel)) };
  }
}

/** RFC 9051 §6.4.4 SEARCH, §6.4.9 UID SEARCH; Vietnamese text matches without diacritics (mail/fold.ts) */
export const search: Command<'SEARCH'> = {
  states: SELECTED,
  async run(session, args, { uid, tag }) {
    const sel = session.selected!;
    // RFC 9051 §6.4.4: in IMAP4rev2 a SEARCH without RETURN answers ESEARCH, as RETURN (ALL) would
    const r = args.return ?? (session.rev2 ? { min: false, max: false, all: true, count: false, save: false } : null);
    let result: Awaited<ReturnType<typeof searchMailbox>>;
    try {
      result = await searchMailbox(session.ctx.db, sel.id, toMailQuery(args.search, sel), { blobs: session.ctx.blobs });
    } catch (err) {
      // RFC 5182 §2.1: a failed SEARCH RETURN (SAVE) leaves the saved result empty
      if (r?.save) sel.saved = [];
      throw err;
    }
    // only messages this session knows about: a message delivered meanwhile has no number yet
    const known = result.uids.filter((u) => sel.seqOf(u) > 0);
    const numbers = known.map((u) => (uid ? u : sel.seqOf(u)));
    if (r) {
      if (r.save) sel.saved = savedUids(r, known);
      if (onlySaves(r)) return;
      // RFC 4731 §3.1 ESEARCH
      const values = esearchValues(tag, uid, numbers, r);
      // RFC 7162 §3.1.5: with a MODSEQ criterion, the highest MODSEQ of the matches
      if (usesModseq(args.search) && numbers.length && result.highestModseq !== null) {
        session.condstore = true;
        values.push(atom('MODSEQ'), result.highestModseq);
      }
      session.send(untagged(atom('ESEARCH'), ...values));
      return;
    }
    // RFC 7162 §3.1.5: a SEARCH with MODSEQ answers the highest MODSEQ of the matches
    if (usesModseq(args.search) && numbers.length && result.highestModseq !== null) {
      session.condstore = true;
      session.send(untagged(atom('SEARCH'), ...numbers, [atom('MODSEQ'), result.highestModseq]));
      return;
    }
    session.send(untagged(atom('SEARCH'), ...numbers));
  },
};

/**
 * RFC 5182 §2.4: with MIN and/or MAX but neither ALL nor COUNT, only those messages are
 * saved; otherwise every match is. `uids` ascend, as sequence numbers do.
 */
function savedUids(r: SearchReturn, uids: number[]): number[] {
  if ((r.min || r.max) && !r.all && !r.count) {
    const out: number[] = [];
    if (r.min && uids.length) out.push(uids[0] as number);
    if (r.max && uids.length && uids[uids.length - 1] !== out[0]) out.push(uids[uids.length - 1] as number);
    return out;
  }
  return uids;
}

/** RFC 5182 §2.1: whether a SEARCH that could not be parsed asked for RETURN (... SAVE ...) */
export function asksToSave(read: ReadCommand): boolean {
  const [ret, open] = read.args;
  if (ret?.kind !== 'atom' || ret.text.toUpperCase() !== 'RETURN' || open?.kind !== 'open') return false;
  for (const t of read.args.slice(2)) {
    if (t.kind !== 'atom') return false;
    if (t.text.toUpperCase() === 'SAVE') return true;
  }
  return false;
}

function usesModseq(k: SearchKey): boolean {
  switch (k.kind) {
    case 'modseq':
      return true;
    case 'not':
      return usesModseq(k.key);
    case 'or':
      return usesModseq(k.left) || usesModseq(k.right);
    case 'and':
      return k.keys.some(usesModseq);
    default:
      return false;
  }
}
