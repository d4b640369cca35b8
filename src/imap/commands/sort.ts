import { sortMailbox, threadMailbox, THREAD_ALGORITHMS, type SortField, type ThreadAlgorithm } from '../../mail/index.js';
import { SELECTED, type Command } from '../command.js';
import { ImapBad } from '../errors.js';
import { atom, untagged } from '../protocol/response-writer.js';
import { threadResponse } from '../protocol/thread-response.js';
import type { Session } from '../session.js';
import { toMailQuery } from './search.js';
import { esearchValues, onlySaves } from './esearch.js';

const sortOptions = (session: Session) => ({ blobs: session.ctx.blobs, collation: session.ctx.config.imap.sortCollation });

/** RFC 5256 §3 SORT and UID SORT, with ESORT's RETURN (RFC 5267 §3.2) and DISPLAYFROM/DISPLAYTO (RFC 5957) */
export const sort: Command<'SORT'> = {
  states: SELECTED,
  async run(session, args, { uid, tag }) {
    const sel = session.selected!;
    const criteria = args.criteria.map((c) => ({ field: c.key.toLowerCase() as SortField, reverse: c.reverse }));
    const uids = await sortMailbox(session.ctx.db, sel.id, criteria, toMailQuery(args.search, sel), sortOptions(session));
    // only messages this session knows about: a message delivered meanwhile has no number yet
    const known = uids.filter((u) => sel.seqOf(u) > 0);
    const numbers = known.map((u) => (uid ? u : sel.seqOf(u)));
    const r = args.return;
    if (!r) {
      session.send(untagged(atom('SORT'), ...numbers));
      return;
    }
    // RFC 5182 §2.1 with RFC 5267 §3.2: SAVE keeps the matching messages as a set
    if (r.save) sel.saved = [...known].sort((a, b) => a - b);
    if (onlySaves(r)) return;
    // RFC 5267 §3.2: MIN and MAX are the first and last message in sort order; ALL keeps the
    // sort order, only ascending runs becoming ranges ("3,1:2,4:6")
    session.send(untagged(atom('ESEARCH'), ...esearchValues(tag, uid, numbers, r)));
  },
};

/** RFC 5256 §3 THREAD and UID THREAD: REFERENCES and ORDEREDSUBJECT */
export const thread: Command<'THREAD'> = {
  states: SELECTED,
  async run(session, args, { uid }) {
    const sel = session.selected!;
    if (!(THREAD_ALGORITHMS as readonly string[]).includes(args.algorithm)) {
      throw new ImapBad(`THREAD ${args.algorithm} is not supported; use ${THREAD_ALGORITHMS.join(' or ')} (RFC 5256 section 3)`);
    }
    const threads = await threadMailbox(session.ctx.db, sel.id, args.algorithm as ThreadAlgorithm, toMailQuery(args.search, sel), sortOptions(session));
    // a message delivered meanwhile has no sequence number yet: it is left out, with its place in the tree
    const known = (nodes: typeof threads): typeof threads =>
      nodes.flatMap((n) => {
        const children = known(n.children);
        if (n.uid !== null && sel.seqOf(n.uid) === 0) return children;
        return [{ uid: n.uid, children }];
      });
    session.send(threadResponse(known(threads), (u) => (uid ? u : sel.seqOf(u))));
  },
};
