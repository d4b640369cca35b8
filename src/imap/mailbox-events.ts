import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { mailboxChannel, publishMailboxChanges, type MailboxChange } from '../mail/index.js';
import type { Logger } from '../shared/logger.js';

export interface MailboxWatcher {
  mailboxChanged(change: MailboxChange): void;
  /** notifications about the mailbox may have been missed: look at it again */
  mailboxMayHaveChanged(mailboxId: number): void;
}

/** what a change under way touches: folders by id, and an account's own folder not yet looked up (an APPEND by name) */
export interface ChangeScope {
  mailboxIds: readonly number[];
  accountId?: number;
}

/**
 * One Redis subscriber per process for every session's selected mailbox: changes made by
 * any process (SMTP delivery, other IMAP sessions, webmail) reach the sessions here. A
 * change one of this process's sessions made reaches the others here at once, not after
 * a round trip through Redis: a session that heard of every MODSEQ after its own takes the
 * changes in without reading the store (view-delta.ts), and the round trip was what most
 * often left a hole. Its echo from Redis is then skipped (`origin`).
 */
export class MailboxEvents {
  private readonly watchers = new Map<number, Set<MailboxWatcher>>();
  /** this process's changes under way, by `m<folder id>` and `a<account id>` */
  private readonly underway = new Map<string, Set<Promise<unknown>>>();
  /** names this process's notifications */
  private readonly origin = randomBytes(9).toString('base64url');
  /** how this process's notifications begin (notify.ts changeMessage) */
  private readonly echo = `{"origin":"${this.origin}"`;
  /** the subscriber has lost its connection and is not yet subscribed again: notifications may be missing */
  private lost = false;

  constructor(
    private readonly subscriber: Redis,
    readonly redis: Redis,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    subscriber.on('message', (channel: string, message: string) => {
      if (message.startsWith(this.echo)) return;
      let change: MailboxChange;
      try {
        change = JSON.parse(message) as MailboxChange;
      } catch {
        return;
      }
      if (channel !== mailboxChannel(prefix, change.mailboxId)) return;
      this.tell(change);
    });
    // what was published while the subscriber had no connection (a Redis restart, a Sentinel
    // failover) never reaches it: once it is back and subscribed again, every watcher looks again
    subscriber.on('close', () => (this.lost = true));
    subscriber.on('ready', () => {
      if (!this.lost) return;
      // ioredis sends the SUBSCRIBEs right after 'ready'; the PING answers after them
      setImmediate(() =>
        void subscriber
          .ping()
          .catch(() => {})
          .then(() => {
            this.lost = false;
            this.recheckAll();
          }),
      );
    });
  }

  /** every notification published now reaches this process (selected-mailbox.ts reopenOwn needs no read then) */
  get listening(): boolean {
    return !this.lost && this.subscriber.status === 'ready';
  }

  private recheckAll(): void {
    for (const [mailboxId, set] of this.watchers) for (const w of set) w.mailboxMayHaveChanged(mailboxId);
  }

  async watch(mailboxId: number, watcher: MailboxWatcher): Promise<void> {
    let set = this.watchers.get(mailboxId);
    if (!set) {
      this.watchers.set(mailboxId, (set = new Set()));
      await this.subscriber.subscribe(mailboxChannel(this.prefix, mailboxId));
    }
    set.add(watcher);
  }

  unwatch(mailboxId: number, watcher: MailboxWatcher): void {
    const set = this.watchers.get(mailboxId);
    if (!set) return;
    set.delete(watcher);
    if (set.size === 0) {
      this.watchers.delete(mailboxId);
      this.subscriber.unsubscribe(mailboxChannel(this.prefix, mailboxId)).catch(() => {});
    }
  }

  private tell(change: MailboxChange): void {
    for (const w of this.watchers.get(change.mailboxId) ?? []) w.mailboxChanged(change);
  }

  /**
   * After COMMIT: this process's sessions (the one that made the change too) hear at once,
   * the other processes through Redis. A lost notification loses no data (sessions also
   * resync on NOOP).
   */
  publish(changes: readonly MailboxChange[]): void {
    if (changes.length === 0) return;
    for (const change of changes) this.tell(change);
    publishMailboxChanges(this.redis, this.prefix, changes, this.origin).catch((err: Error) => this.log.warn({ err: err.message }, 'publishing mailbox changes failed'));
  }

  /**
   * Runs a change to the store and publishes what it changed. Until it has published, the
   * change is under way (`settled`): it may have committed a MODSEQ that no session has
   * heard of yet.
   */
  async change<T extends { changes: readonly MailboxChange[] }>(scope: ChangeScope, work: () => Promise<T>): Promise<T> {
    const running = work().then((result) => {
      this.publish(result.changes);
      return result;
    });
    const keys = new Set([...scope.mailboxIds.map((id) => `m${id}`), ...(scope.accountId === undefined ? [] : [`a${scope.accountId}`])]);
    for (const key of keys) {
      let set = this.underway.get(key);
      if (!set) this.underway.set(key, (set = new Set()));
      set.add(running);
    }
    try {
      return await running;
    } finally {
      for (const key of keys) {
        const set = this.underway.get(key)!;
        set.delete(running);
        if (set.size === 0) this.underway.delete(key);
      }
    }
  }

  /**
   * Resolves once this process's changes now under way to the folder (or to its owner's
   * folders by name) have published; null when there are none. A session missing a MODSEQ
   * waits for them before reading the store: the missing change is most often one of
   * them, committed by another session a moment before the one it heard of.
   */
  settled(mailboxId: number, ownerId: number): Promise<void> | null {
    const running = [...(this.underway.get(`m${mailboxId}`) ?? []), ...(this.underway.get(`a${ownerId}`) ?? [])];
    return running.length ? Promise.allSettled(running).then(() => {}) : null;
  }

  async close(): Promise<void> {
    this.watchers.clear();
    await this.subscriber.quit().catch(() => {});
  }
}
