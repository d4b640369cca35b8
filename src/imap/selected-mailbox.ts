import type { Queryable } from '../store/db.js';
import { mailboxChangesSince, mailboxSnapshot, ownMailboxChangesSince, storedFolderName, type Mailbox, type MailboxChange, type MailboxChangesSince } from '../mail/index.js';
import { FromNotifications, type ViewDelta } from './view-delta.js';
import { rangesValues, resolveSequenceSet, type SequenceSet } from './protocol/sequence-set.js';
import { atom, formatSequenceSet, untagged, type ImapValue } from './protocol/response-writer.js';
import { ImapBad } from './errors.js';
import { OWNER_RIGHTS } from './acl-rights.js';
import type { Account } from '../identity/accounts.js';

/**
 * The selected mailbox as this session sees it (RFC 9051 §2.3.1.2): sequence number n is
 * uids[n - 1]. Changes (the session's own and, by notification, everyone else's) queue
 * up and the session catches up at the points RFC 9051 §7.5.1 allows. Each change names
 * its MODSEQ, and every change to a folder raises its MODSEQ by one, so a queue that
 * continues the view's MODSEQ without a hole is exactly what happened since: it is
 * applied as it is. A hole (a notification lost or still on its way) or a change that
 * does not say enough falls back to reading what changed since the view's MODSEQ.
 */
export class SelectedMailbox {
  readonly id: number;
  name: string;
  readonly readOnly: boolean;
  readonly uidValidity: number;
  /** UIDNEXT when selected */
  readonly uidNext: number;
  /** RFC 7162 §3.1.2.1 HIGHESTMODSEQ when selected */
  readonly highestModseq: number;
  uids: number[];
  private flags = new Map<number, readonly string[]>();
  /** the folder's HIGHESTMODSEQ the view has caught up to: sync reads only what changed after it */
  private syncedModseq: number;
  /** expunged by others but not yet announced (RFC 9051 §7.5.1: not during FETCH, STORE, SEARCH) */
  private heldBackExpunges = new Set<number>();
  keywords: string[];
  /** the store must be read at the next catch-up (NOOP, CHECK, a lost or unreadable notification) */
  stale = false;
  /** changes heard of (by notification, or made by this session) and not yet applied */
  private pending: MailboxChange[] = [];
  /** UID -> MODSEQ of flags this session set itself before the view caught up to them: older changes must not undo them */
  private localModseq = new Map<number, number>();
  /** the folder was deleted by another session */
  gone = false;
  /** the highest UID the folder has given out, as far as the view knows (expunged ones too): UIDNEXT - 1 */
  private lastUid: number;
  /** RFC 5182 §2.1: the UIDs SEARCH RETURN (SAVE) kept, named by "$"; expunged ones drop out */
  saved: number[] = [];
  /** RFC 7162 §3.2.10: the session enabled QRESYNC, so expunges are announced as VANISHED */
  vanished = false;
  /** RFC 4314 §2.1: what this session may do here (everything in its own folders) */
  rights: string = OWNER_RIGHTS;
  /** the owner when the folder is another account's (the shared namespace); its rights are checked again before each command */
  owner: Account | null = null;

  constructor(snapshot: ViewSnapshot, readOnly: boolean) {
    this.id = snapshot.mailbox.id;
    this.name = snapshot.mailbox.name;
    this.readOnly = readOnly;
    this.uidValidity = snapshot.mailbox.uidValidity;
    this.uidNext = snapshot.mailbox.uidNext;
    this.highestModseq = snapshot.mailbox.highestModseq;
    this.syncedModseq = snapshot.mailbox.highestModseq;
    this.uids = [...snapshot.uids];
    snapshot.uids.forEach((uid, i) => this.flags.set(uid, snapshot.flags[i] ?? []));
    this.keywords = [...snapshot.mailbox.keywords];
    this.lastUid = snapshot.mailbox.uidNext - 1;
  }

  get exists(): number {
    return this.uids.length;
  }

  get maxUid(): number {
    return this.uids[this.uids.length - 1] ?? 0;
  }

  seqOf(uid: number): number {
    // uids ascend: binary search
    let lo = 0;
    let hi = this.uids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.uids[mid] as number;
      if (v === uid) return mid + 1;
      if (v < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  flagsOf(uid: number): readonly string[] {
    return this.flags.get(uid) ?? [];
  }

  /** flags the session learnt itself (STORE, FETCH's \Seen), as of `modseq` */
  setFlags(uid: number, flags: readonly string[], modseq = 0): void {
    if (!this.flags.has(uid)) return;
    this.flags.set(uid, flags);
    if (modseq > this.syncedModseq && modseq > (this.localModseq.get(uid) ?? 0)) this.localModseq.set(uid, modseq);
  }

  /** something to announce or to read at the next catch-up */
  get behind(): boolean {
    return this.stale || this.pending.length > 0 || this.heldBackExpunges.size > 0;
  }

  /** a change to this folder, by anyone (this session's own too, right after its COMMIT) */
  noteChange(change: MailboxChange): void {
    if (change.type === 'deleted' || change.type === 'renamed') {
      this.stale = true;
      return;
    }
    if (change.modseq <= this.syncedModseq) return;
    // a session that sends nothing for long (no IDLE) does not keep every change: past
    // MAX_PENDING it forgets them and reads the store at its next catch-up
    if (this.pending.length >= MAX_PENDING) {
      this.pending = [];
      this.stale = true;
    }
    this.pending.push(change);
  }

  /** UIDs a message sequence set names, ascending (RFC 9051 §6.4.5: numbers past EXISTS are refused by the caller) */
  uidsOfSeqSet(set: SequenceSet): { uids: number[]; outOfRange: boolean } {
    if (set.kind === 'saved') return { uids: this.savedUids(), outOfRange: false };
    const uids: number[] = [];
    let outOfRange = false;
    for (const n of rangesValues(resolveSequenceSet(set, this.exists))) {
      const uid = this.uids[n - 1];
      if (uid === undefined) {
        outOfRange = true;
        break;
      }
      uids.push(uid);
    }
    return { uids, outOfRange };
  }

  /** UIDs of a UID set that are in the view (RFC 9051 §6.4.9: "*" is the largest UID; absent UIDs are ignored) */
  /**
   * The UIDs a command's set names: UIDs for the UID form, message numbers otherwise.
   * RFC 9051 §6.4.5, §7.1: a message number past EXISTS makes the command BAD.
   */
  uidsOf(set: SequenceSet, byUid: boolean): number[] {
    if (byUid) return this.uidsOfUidSet(set);
    const r = this.uidsOfSeqSet(set);
    if (r.outOfRange) throw new ImapBad('The sequence set names messages that do not exist');
    return r.uids;
  }

  uidsOfUidSet(set: SequenceSet): number[] {
    if (set.kind === 'saved') return this.savedUids();
    const ranges = resolveSequenceSet(set, this.maxUid);
    const out: number[] = [];
    for (const [a, b] of ranges) {
      for (let i = this.lowerBound(a); i < this.uids.length && (this.uids[i] as number) <= b; i++) out.push(this.uids[i] as number);
    }
    return out;
  }

  /** RFC 5182 §2.1: "$" names the saved messages still in the view, ascending */
  savedUids(): number[] {
    return this.saved.filter((u) => this.seqOf(u) > 0);
  }

  private lowerBound(uid: number): number {
    let lo = 0;
    let hi = this.uids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.uids[mid] as number) < uid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Removes expunged UIDs, answering `* n EXPUNGE` for each (RFC 9051 §7.5.1: each numbered
   * against the view as it shrinks), or one `* VANISHED uid-set` under QRESYNC (RFC 7162 §3.2.10).
   */
  expunge(uids: Iterable<number>): Buffer[] {
    const out: Buffer[] = [];
    const gone = [...uids].sort((a, b) => b - a);
    if (this.vanished) {
      const removed = gone.filter((uid) => this.seqOf(uid) > 0);
      for (const uid of removed) {
        this.uids.splice(this.seqOf(uid) - 1, 1);
        this.flags.delete(uid);
      }
      return removed.length ? [untagged(atom('VANISHED'), atom(formatSequenceSet(removed.reverse())))] : [];
    }
    // from the highest down, so each number is right when the client applies it in order
    for (const uid of gone) {
      const seq = this.seqOf(uid);
      if (seq === 0) continue;
      this.uids.splice(seq - 1, 1);
      this.flags.delete(uid);
      out.push(untagged(seq, atom('EXPUNGE')));
    }
    return out;
  }

  /**
   * Catches up with the store: new messages (EXISTS), changed flags (FETCH FLAGS) and,
   * when `allowExpunge`, removed messages (EXPUNGE). RFC 9051 §7.5.1: no EXPUNGE during
   * FETCH, STORE or SEARCH, which use sequence numbers.
   */
  async sync(db: Queryable, allowExpunge: boolean, withUid: boolean, withModseq = false, underway?: () => ReadonlyArray<Promise<unknown>>): Promise<Buffer[]> {
    const delta = await this.heardDelta(underway);
    if (delta) return this.apply(delta, allowExpunge, withUid, withModseq);
    let snap: MailboxChangesSince;
    try {
      snap = await mailboxChangesSince(db, this.id, this.syncedModseq);
    } catch {
      this.gone = true;
      return [];
    }
    return this.apply(deltaOfSnapshot(snap), allowExpunge, withUid, withModseq);
  }

  /**
   * The queued changes as one delta (fromPending); null: read the store. While a MODSEQ is
   * missing, this process's changes under way when it was found are waited for one at a
   * time, looking again as each settles: the missing one is most often the first of them to
   * publish (mailbox-events.ts underway), and the others need not be waited for.
   */
  private async heardDelta(underway?: () => ReadonlyArray<Promise<unknown>>): Promise<ViewDelta | null> {
    let delta = this.stale ? null : this.fromPending();
    if (delta || this.stale || !underway) return delta;
    const left = new Set(underway());
    while (left.size && !delta && !this.stale) {
      const settled = await Promise.race([...left].map((p) => p.then(() => [p] as const, () => [p] as const)));
      left.delete(settled[0]);
      delta = this.fromPending();
    }
    return this.stale ? null : delta;
  }

  /**
   * The queued changes as one delta when they continue the view's MODSEQ without a hole
   * and each says enough; null when the store must be read instead.
   */
  private fromPending(): ViewDelta | null {
    const queue = this.pending.filter((c) => 'modseq' in c && c.modseq > this.syncedModseq).sort((a, b) => (a as { modseq: number }).modseq - (b as { modseq: number }).modseq);
    const merged = new FromNotifications(this.syncedModseq, this.maxUid, this.keywords);
    for (const change of queue) if (!merged.add(change)) return null;
    return merged.delta();
  }

  /**
   * RFC 9051 §6.3.2: a SELECT of the folder already selected starts a new view of it. That
   * view is this one with every change since applied (the expunges too, unannounced), the
   * same as a fresh snapshot, without reading every message again (clients re-SELECT often).
   * A fresh snapshot is taken when the folder's counters disagree with the caught-up view.
   */
  async reopen(db: Queryable, readOnly: boolean, current: Mailbox): Promise<SelectedMailbox> {
    // `current` is the folder's row as the SELECT just read it: when the view, with the
    // changes queued for it, is exactly that, the view is the new one without reading more
    const delta = this.gone || this.stale ? null : this.fromPending();
    if (delta && current.uidValidity === this.uidValidity && !current.noselect) {
      this.apply(delta, true, false, false);
      if (this.syncedModseq === current.highestModseq && this.uids.length === current.messageCount && this.keywords.join(' ') === current.keywords.join(' ')) return this.carriedTo(current, readOnly);
    }
    return this.caughtUpTo(db, await mailboxChangesSince(db, this.id, this.syncedModseq), readOnly);
  }

  /**
   * The same for a SELECT of this view's own folder by its name (the session's account's):
   * the folder's row and the changes since the view come from one read, which also finds
   * the folder. Null when the name now names another folder or none (renamed, deleted,
   * \Noselect): the caller opens it as any other.
   */
  async reopenOwn(db: Queryable, accountId: number, name: string, readOnly: boolean, heard: HeardChanges): Promise<SelectedMailbox | null> {
    // another name (a client going from folder to folder) is opened as any other, without this read
    if (this.gone || this.owner || storedFolderName(name) !== this.name) return null;
    // every change since the view was read has been heard of, in MODSEQ order: the view with
    // them is the folder as of the last one, and needs no read. A change committed elsewhere
    // and not yet heard of is told afterwards (EXISTS, FETCH, EXPUNGE), as if made just after
    // this SELECT. Not while notifications may be lost (heard.listening): a rename or deletion
    // marks the view stale, so the name still names this folder
    const delta = heard.listening ? await this.heardDelta(heard.underway) : null;
    if (delta && !this.gone) {
      this.apply(delta, true, false, false);
      return this.carriedTo({ id: this.id, name: this.name, uidValidity: this.uidValidity, uidNext: this.lastUid + 1, highestModseq: this.syncedModseq, keywords: this.keywords }, readOnly);
    }
    const snap = await ownMailboxChangesSince(db, accountId, name, this.syncedModseq);
    if (!snap || snap.mailbox.id !== this.id || snap.mailbox.noselect) return null;
    return this.caughtUpTo(db, snap, readOnly);
  }

  /** the new view from what changed since this one (a fresh snapshot when they disagree) */
  private async caughtUpTo(db: Queryable, snap: MailboxChangesSince, readOnly: boolean): Promise<SelectedMailbox> {
    const { mailbox } = snap;
    if (this.gone || mailbox.noselect || mailbox.uidValidity !== this.uidValidity) return new SelectedMailbox(await mailboxSnapshot(db, this.id), readOnly);
    this.apply(deltaOfSnapshot(snap), true, false, false);
    if (this.uids.length !== mailbox.messageCount) return new SelectedMailbox(await mailboxSnapshot(db, this.id), readOnly);
    return this.carriedTo(mailbox, readOnly);
  }

  /**
   * a new view (RFC 9051 §6.3.2) of this one's messages at `mailbox`'s counters, with the
   * changes still queued after them. This view ends here, so its messages move to the new
   * one rather than being copied (a client re-SELECTs its folder often).
   */
  private carriedTo(mailbox: ViewFolder, readOnly: boolean): SelectedMailbox {
    const next = new SelectedMailbox({ mailbox, uids: [], flags: [] }, readOnly);
    [next.uids, next.flags] = [this.uids, this.flags];
    [this.uids, this.flags] = [[], new Map()];
    for (const change of this.pending) next.noteChange(change);
    for (const [uid, modseq] of this.localModseq) if (modseq > next.syncedModseq) next.localModseq.set(uid, modseq);
    return next;
  }

  private apply(delta: ViewDelta, allowExpunge: boolean, withUid: boolean, withModseq: boolean): Buffer[] {
    this.stale = false;
    this.syncedModseq = delta.highestModseq;
    this.pending = this.pending.filter((c) => 'modseq' in c && c.modseq > delta.highestModseq);
    for (const [uid, modseq] of this.localModseq) if (modseq <= delta.highestModseq) this.localModseq.delete(uid);
    const out: Buffer[] = [];
    if (delta.keywords && delta.keywords.join(' ') !== this.keywords.join(' ')) {
      this.keywords = [...delta.keywords];
      out.push(untagged(atom('FLAGS'), permanentFlagAtoms(this.keywords, false)));
    }
    for (const uid of delta.expunged) {
      if (this.seqOf(uid) > 0) this.heldBackExpunges.add(uid);
      if (uid > this.lastUid) this.lastUid = uid;
    }
    if (allowExpunge) {
      out.push(...this.expunge(this.heldBackExpunges));
      this.heldBackExpunges.clear();
    }
    // held-back EXPUNGEs go out at the next point that allows them (`behind` stays true)
    const max = this.maxUid;
    let added = false;
    for (const { uid, flags: f, modseq } of delta.changed) {
      if (uid > max) {
        // RFC 9051 §2.3.1.1: UIDs ascend, so a new message goes at the end
        this.uids.push(uid);
        if (uid > this.lastUid) this.lastUid = uid;
        this.flags.set(uid, f);
        added = true;
        continue;
      }
      const before = this.flags.get(uid);
      // not in the view: expunged by this session already
      if (!before || before.join(' ') === f.join(' ')) continue;
      // this session already set flags newer than this change (its own STORE)
      if ((this.localModseq.get(uid) ?? 0) > modseq) continue;
      this.flags.set(uid, f);
      const items: ImapValue[] = [atom('FLAGS'), f.map(atom)];
      if (withUid) items.unshift(atom('UID'), uid);
      // RFC 7162 §3.1.4: once CONDSTORE is on, unsolicited FETCH responses carry MODSEQ
      if (withModseq) items.push(atom('MODSEQ'), [modseq]);
      out.push(untagged(this.seqOf(uid), atom('FETCH'), items));
    }
    if (added) out.push(untagged(this.exists, atom('EXISTS')));
    return out;
  }
}

/** what a view needs of its folder's row */
export type ViewFolder = Pick<Mailbox, 'id' | 'name' | 'uidValidity' | 'uidNext' | 'highestModseq' | 'keywords'>;

/** what a view is made from: the folder's row and its messages (snapshot.ts), or what an earlier view knew */
export interface ViewSnapshot {
  mailbox: ViewFolder;
  uids: readonly number[];
  flags: ReadonlyArray<readonly string[]>;
}

/** how a session hears of its folder's changes (mailbox-events.ts) */
export interface HeardChanges {
  /** notifications reach this process now; when they may not have, the store is read */
  listening: boolean;
  /** this process's changes under way to the folder, to wait for when a MODSEQ is missing */
  underway(): ReadonlyArray<Promise<unknown>>;
}

/** what the store says changed, as the delta `apply` takes */
function deltaOfSnapshot(snap: MailboxChangesSince): ViewDelta {
  return {
    highestModseq: snap.mailbox.highestModseq,
    keywords: snap.mailbox.keywords,
    changed: snap.uids.map((uid, i) => ({ uid, flags: snap.flags[i] ?? [], modseq: snap.modseqs[i] ?? 0 })),
    expunged: snap.expunged,
  };
}

/** changes a view queues at most; past that it reads the store at its next catch-up instead */
const MAX_PENDING = 256;

export const SYSTEM_FLAG_ATOMS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];

/** FLAGS and PERMANENTFLAGS (RFC 9051 §7.3.5, §7.1): system flags, the folder's keywords, and \* for new keywords */
export function permanentFlagAtoms(keywords: readonly string[], withStar: boolean): ImapValue[] {
  return [...SYSTEM_FLAG_ATOMS, ...keywords, ...(withStar ? ['\\*'] : [])].map(atom);
}

export type { Mailbox };
