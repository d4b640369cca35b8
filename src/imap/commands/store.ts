import { storeFlags, uidSetOf } from '../../mail/index.js';
import { SELECTED, type Command } from '../command.js';
import { ImapNo } from '../errors.js';
import { requireRight } from '../mailbox-access.js';
import { rightForFlag } from '../acl-rights.js';
import { atom, codes, untagged, type ImapValue } from '../protocol/response-writer.js';

const ACTION = { replace: 'set', add: 'add', remove: 'remove' } as const;

const RIGHT_USE: Record<string, string> = { s: 'mark messages seen or unseen', t: 'mark messages deleted', w: 'change flags' };

/** RFC 4314 §4: STORE of \Seen needs "s", of \Deleted "t", of other flags "w"; replacing the flags may change any of them */
function rightsToStore(operation: keyof typeof ACTION, flags: readonly string[]): string[] {
  if (operation === 'replace') return ['s', 't', 'w'];
  return [...new Set(flags.map(rightForFlag))];
}

/** RFC 9051 §6.4.6 STORE, §6.4.9 UID STORE */
export const store: Command<'STORE'> = {
  states: SELECTED,
  async run(session, args, { uid }) {
    const sel = session.selected!;
    for (const right of rightsToStore(args.operation, args.flags)) requireRight(sel, right, RIGHT_USE[right]!);
    // RFC 9051 §6.3.3: an EXAMINEd folder is read-only
    if (sel.readOnly) throw new ImapNo('READ-ONLY', 'The folder is open read-only (EXAMINE)');
    const uids = sel.uidsOf(args.set, uid);
    // RFC 7162 §3.1: STORE UNCHANGEDSINCE enables CONDSTORE
    if (args.unchangedSince !== null) session.condstore = true;
    if (uids.length === 0) return;
    const result = await session.ctx.events.change({ mailboxIds: [sel.id] }, () =>
      storeFlags(session.ctx.db, {
        mailboxId: sel.id,
        uids: uidSetOf(uids),
        action: ACTION[args.operation],
        flags: args.flags,
        ...(args.unchangedSince !== null ? { unchangedSince: args.unchangedSince } : {}),
      }),
    );
    for (const m of [...result.updated, ...result.unchanged].sort((a, b) => a.uid - b.uid)) {
      sel.setFlags(m.uid, m.flags, m.modseq);
      // RFC 9051 §6.4.6: .SILENT suppresses the untagged FETCH
      if (args.silent) continue;
      const items: ImapValue[] = [atom('FLAGS'), m.flags.map(atom)];
      if (uid) items.unshift(atom('UID'), m.uid);
      // RFC 7162 §3.1.3: with CONDSTORE the FETCH after STORE carries the new MODSEQ
      if (session.condstore) items.push(atom('MODSEQ'), [m.modseq]);
      session.send(untagged(sel.seqOf(m.uid), atom('FETCH'), items));
    }
    // RFC 7162 §3.1.3: MODIFIED lists UIDs for UID STORE, sequence numbers for STORE
    const modified = uid ? result.modified : result.modified.map((u) => sel.seqOf(u)).filter((n) => n > 0);
    if (modified.length) return { code: codes.modified(modified), text: 'Conditional STORE failed for some messages' };
  },
};
