import type { MailboxChange } from '../mail/index.js';

/** What a selected view must take in to reach `highestModseq` (selected-mailbox.ts apply). */
export interface ViewDelta {
  highestModseq: number;
  /** the folder's keywords now; null when they did not change */
  keywords: readonly string[] | null;
  /** messages added or re-flagged, ascending by UID, each with its flags and MODSEQ now */
  changed: { uid: number; flags: readonly string[]; modseq: number }[];
  /** UIDs expunged */
  expunged: number[];
}

/**
 * Folds change notifications, in MODSEQ order, into one delta, as long as each one
 * continues the MODSEQ before it (every change to a folder raises its MODSEQ by exactly
 * one, tx.ts) and carries the new state it made. `add` answers false where the store must
 * be read instead: a hole (a notification lost or not here yet), a change that names no
 * flags (an older publisher), a new keyword (the FLAGS response then needs the folder's
 * list), or a new UID that is not above every UID before it.
 */
export class FromNotifications {
  private readonly changed = new Map<number, { flags: readonly string[]; modseq: number }>();
  private readonly expunged = new Set<number>();
  /** the type of the change taken at `modseq`, if one was */
  private lastType: MailboxChange['type'] | null = null;

  constructor(
    private modseq: number,
    private maxUid: number,
    private readonly keywords: readonly string[],
  ) {}

  add(change: MailboxChange): boolean {
    if (!('modseq' in change)) return false;
    // the same change twice (a session's own, then its notification) is taken once; two
    // different changes at one MODSEQ break notify.ts's rule, and the store says what happened
    if (change.modseq === this.modseq && this.lastType !== null) return change.type === this.lastType;
    if (change.modseq <= this.modseq) return true;
    if (change.modseq !== this.modseq + 1) return false;
    switch (change.type) {
      case 'exists': {
        const { uids, flags } = change;
        if (!uids || !flags || uids.length === 0 || uids.length !== flags.length) return false;
        for (let i = 0; i < uids.length; i++) {
          const uid = uids[i]!;
          // RFC 9051 §2.3.1.1: UIDs strictly ascend; anything else is not ours to guess at
          if (uid <= this.maxUid || !this.knows(flags[i]!)) return false;
          this.maxUid = uid;
          this.changed.set(uid, { flags: flags[i]!, modseq: change.modseq });
        }
        break;
      }
      case 'flags': {
        const { uids, flags } = change;
        if (!flags || uids.length !== flags.length) return false;
        for (let i = 0; i < uids.length; i++) {
          if (!this.knows(flags[i]!)) return false;
          this.changed.set(uids[i]!, { flags: flags[i]!, modseq: change.modseq });
        }
        break;
      }
      case 'expunge':
        for (const uid of change.uids) {
          this.changed.delete(uid);
          this.expunged.add(uid);
        }
        break;
    }
    this.modseq = change.modseq;
    this.lastType = change.type;
    return true;
  }

  delta(): ViewDelta {
    const changed = [...this.changed].map(([uid, c]) => ({ uid, flags: c.flags, modseq: c.modseq })).sort((a, b) => a.uid - b.uid);
    return { highestModseq: this.modseq, keywords: null, changed, expunged: [...this.expunged] };
  }

  /** system flags, and keywords the folder already lists (RFC 9051 §7.3.5 FLAGS would change otherwise) */
  private knows(flags: readonly string[]): boolean {
    return flags.every((f) => f.startsWith('\\') || this.keywords.includes(f));
  }
}
