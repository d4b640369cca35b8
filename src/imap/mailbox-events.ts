import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { mailboxChannel, publishMailboxChanges, type MailboxChange } from '../mail/index.js';
import type { Logger } from '../shared/logger.js';
import { ANSWER_MS, FolderPresence, isPresenceMessage } from './folder-presence.js';

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
 * often left a hole. Its echo from Redis is then skipped (`origin`), and where no other
 * process listens, the change does not go to Redis at all (folder-presence.ts).
 */
export class MailboxEvents {
  private readonly watchers = new Map<number, Set<MailboxWatcher>>();
  /** this process's changes under way, by `m<folder id>` and `a<account id>` */
  private readonly changesUnderway = new Map<string, Set<Promise<unknown>>>();
  /** names this process's notifications */
  private readonly origin = randomBytes(9).toString('base64url');
  /** how this process's notifications begin (notify.ts changeMessage) */
  private readonly echo = `{"origin":"${this.origin}"`;
  /** the subscriber has lost its connection and is not yet subscribed again: notifications may be missing */
  private lost = false;
  /** how many times the subscriber's connection dropped */
  private drops = 0;
  /** per folder, its first watch's subscription and announcement under way */
  private readonly joining = new Map<number, Promise<void>>();
  private readonly presence: FolderPresence;

  constructor(
    private readonly subscriber: Redis,
    readonly redis: Redis,
    private readonly prefix: string,
    private readonly log: Logger,
    answerMs = ANSWER_MS,
  ) {
    this.presence = new FolderPresence(redis, (id) => mailboxChannel(prefix, id), this.origin, log, (id) => this.recheck(id), answerMs);
    subscriber.on('message', (channel: string, message: string) => {
      if (message.startsWith(this.echo)) return;
      if (isPresenceMessage(message)) {
        const mailboxId = this.mailboxOfChannel(channel);
        if (mailboxId !== null) this.presence.heard(mailboxId, message);
        return;
      }
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
    subscriber.on('close', () => {
      // every drop counts, one during a rejoin too: that rejoin must not end the loss
      this.drops++;
      this.lost = true;
      this.presence.connectionLost();
    });
    subscriber.on('ready', () => {
      if (!this.lost) return;
      const drops = this.drops;
      // ioredis sends the SUBSCRIBEs right after 'ready'; the PING answers after them
      setImmediate(() =>
        void subscriber
          .ping()
          .then(() => this.rejoin(drops))
          .catch(() => {}),
      );
    });
  }

  /** the connection is back and subscribed again: this process announces itself anew on each folder (others may have stopped publishing there meanwhile), then every watcher looks again */
  private async rejoin(drops: number): Promise<void> {
    if (drops !== this.drops) return;
    this.presence.connectionBack();
    const ids = [...this.watchers.keys()];
    for (const id of ids) this.presence.subscribedTo(id);
    await Promise.all(ids.map((id) => this.presence.announce(id)));
    if (drops !== this.drops) return;
    this.lost = false;
    for (const id of ids) this.recheck(id);
  }

  /** every notification about the folder published now reaches this process (selected-mailbox.ts reopenOwn needs no read then) */
  listeningTo(mailboxId: number): boolean {
    return !this.lost && this.subscriber.status === 'ready' && this.presence.sure(mailboxId);
  }

  private recheck(mailboxId: number): void {
    for (const w of this.watchers.get(mailboxId) ?? []) w.mailboxMayHaveChanged(mailboxId);
  }

  private mailboxOfChannel(channel: string): number | null {
    const id = Number(channel.slice(channel.lastIndexOf(':') + 1));
    return Number.isSafeInteger(id) && channel === mailboxChannel(this.prefix, id) ? id : null;
  }

  /**
   * Watches the folder; resolves once this process hears every change to it published
   * from now on, and once every other process listening there knows of this one.
   */
  async watch(mailboxId: number, watcher: MailboxWatcher): Promise<void> {
    let set = this.watchers.get(mailboxId);
    if (!set) {
      this.watchers.set(mailboxId, (set = new Set()));
      const joined = this.join(mailboxId);
      this.joining.set(mailboxId, joined);
      const done = () => {
        if (this.joining.get(mailboxId) === joined) this.joining.delete(mailboxId);
      };
      joined.then(done, done);
    }
    set.add(watcher);
    try {
      await this.joining.get(mailboxId);
    } catch (err) {
      this.unwatch(mailboxId, watcher);
      throw err;
    }
  }

  private async join(mailboxId: number): Promise<void> {
    await this.subscriber.subscribe(mailboxChannel(this.prefix, mailboxId));
    if (!this.watchers.has(mailboxId)) return;
    this.presence.subscribedTo(mailboxId);
    await this.presence.announce(mailboxId);
  }

  unwatch(mailboxId: number, watcher: MailboxWatcher): void {
    const set = this.watchers.get(mailboxId);
    if (!set) return;
    set.delete(watcher);
    if (set.size === 0) {
      this.watchers.delete(mailboxId);
      this.presence.unsubscribedFrom(mailboxId);
      this.subscriber.unsubscribe(mailboxChannel(this.prefix, mailboxId)).catch(() => {});
    }
  }

  private tell(change: MailboxChange): void {
    for (const w of this.watchers.get(change.mailboxId) ?? []) w.mailboxChanged(change);
  }

  /**
   * After COMMIT: this process's sessions (the one that made the change too) hear at once,
   * the other processes through Redis, unless none listens (folder-presence.ts). A lost
   * notification loses no data (sessions also resync on NOOP).
   */
  publish(changes: readonly MailboxChange[]): void {
    if (changes.length === 0) return;
    for (const change of changes) this.tell(change);
    const remote = changes.filter((c) => !this.presence.skips(c.mailboxId));
    if (remote.length === 0) return;
    const marks = remote.map((c) => this.presence.mark(c.mailboxId));
    publishMailboxChanges(this.redis, this.prefix, remote, this.origin)
      .then((receivers) => receivers.forEach((n, i) => this.presence.published(remote[i]!.mailboxId, marks[i]!, n)))
      .catch((err: Error) => this.log.warn({ err: err.message }, 'publishing mailbox changes failed'));
  }

  /**
   * Runs a change to the store and publishes what it changed. Until it has published, the
   * change is under way (`underway`): it may have committed a MODSEQ that no session has
   * heard of yet.
   */
  async change<T extends { changes: readonly MailboxChange[] }>(scope: ChangeScope, work: () => Promise<T>): Promise<T> {
    const running = work().then((result) => {
      this.publish(result.changes);
      return result;
    });
    const keys = new Set([...scope.mailboxIds.map((id) => `m${id}`), ...(scope.accountId === undefined ? [] : [`a${scope.accountId}`])]);
    for (const key of keys) {
      let set = this.changesUnderway.get(key);
      if (!set) this.changesUnderway.set(key, (set = new Set()));
      set.add(running);
    }
    try {
      return await running;
    } finally {
      for (const key of keys) {
        const set = this.changesUnderway.get(key)!;
        set.delete(running);
        if (set.size === 0) this.changesUnderway.delete(key);
      }
    }
  }

  /**
   * This process's changes now under way to the folder (or to its owner's folders by
   * name), each settling once it has published. A session missing a MODSEQ waits for them,
   * one at a time, before it reads the store: the missing change is most often one of them,
   * committed by another session a moment before the one it heard of.
   */
  underway(mailboxId: number, ownerId: number): Array<Promise<unknown>> {
    return [...(this.changesUnderway.get(`m${mailboxId}`) ?? []), ...(this.changesUnderway.get(`a${ownerId}`) ?? [])];
  }

  async close(): Promise<void> {
    this.watchers.clear();
    await this.subscriber.quit().catch(() => {});
  }
}
