/**
 * What FETCH reads of a message that never changes once it is stored: its size,
 * INTERNALDATE, blob and ENVELOPE. A UID names one message for good within a UIDVALIDITY
 * (RFC 9051 §2.3.1.1), and every folder's UIDVALIDITY comes from one sequence that never
 * repeats (migration 005), so (UIDVALIDITY, UID) names the same message in every folder,
 * session and process: an entry can be missing, never wrong. The process's sessions share
 * the entries up to a byte budget (config imap.messageCacheMegabytes), the least recently
 * used going first. Dovecot keeps the same facts in its index cache for the same reason: a
 * client's FETCH of a page of ENVELOPEs is answered without reading the messages.
 * Flags and MODSEQ change, so they are not here: FETCH takes the flags from the session's
 * view (selected-mailbox.ts).
 */
export interface MessageFacts {
  internalDate: Date;
  size: number;
  blobHash: string;
  /** the ENVELOPE as FETCH sends it; null until a FETCH has rendered or read it */
  imapEnvelope: Buffer | null;
}

/** what an entry costs besides its ENVELOPE's bytes: the key, the object, the Date, the hash and a Buffer's own header */
const ENTRY_OVERHEAD = 320;

const sizeOf = (f: MessageFacts) => ENTRY_OVERHEAD + (f.imapEnvelope?.length ?? 0);

export class MessageFactsCache {
  /** in use order, least recent first (a Map iterates in insertion order) */
  private readonly entries = new Map<string, MessageFacts>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  get(uidValidity: number, uid: number): MessageFacts | undefined {
    const key = `${uidValidity}:${uid}`;
    const facts = this.entries.get(key);
    if (facts) {
      this.entries.delete(key);
      this.entries.set(key, facts);
    }
    return facts;
  }

  /** keeps `facts`, replacing an entry without an ENVELOPE */
  set(uidValidity: number, uid: number, facts: MessageFacts): void {
    if (!this.enabled) return;
    const key = `${uidValidity}:${uid}`;
    const old = this.entries.get(key);
    if (old) {
      if (old.imapEnvelope || !facts.imapEnvelope) return;
      this.entries.delete(key);
      this.bytes -= sizeOf(old);
    }
    this.entries.set(key, facts);
    this.bytes += sizeOf(facts);
    for (const [k, f] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= sizeOf(f);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
