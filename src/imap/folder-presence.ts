import type { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.js';

const HELLO = '{"hello":';
const ACK = '{"ack":';

/** whether a message on a folder's channel is an announcement or its answer (FolderPresence), not a change */
export const isPresenceMessage = (message: string) => message.startsWith(HELLO) || message.startsWith(ACK);

/** how long a process that announced itself on a folder waits for the others' answers before it goes on without them */
export const ANSWER_MS = 2000;

/**
 * Which folders only this process listens to, so that its changes there need not go
 * through Redis. A publish nobody else hears still costs a round trip to Redis and the
 * echo back to this process's own subscriber, for every flag change, append and expunge;
 * with one IMAP process (the usual installation) that is every change.
 *
 * The rule: a process skips publishing a change to a folder only while it knows that no
 * other process is subscribed to the folder's channel.
 *  - It learns that from a PUBLISH there answered with 1 (its own subscriber alone), sent
 *    while its subscription was confirmed and before anyone announced themselves since.
 *  - It forgets it when another process announces itself on the channel (a hello), and
 *    answers the hello (an ack) after it has forgotten.
 *  - A process that subscribes announces itself, and waits for an answer from every other
 *    subscriber (PUBLISH's count) before its sessions read the folder. An answer leaves
 *    after its sender stopped skipping, so a change that sender skipped committed before
 *    the answer, and before the newcomer's read: the read has it.
 *  - Without every answer within ANSWER_MS the folder is `unsure` (its views read the
 *    store rather than trust notifications) until the late answers are in.
 * A process that has lost its subscriber's connection skips nothing, and announces itself
 * again on every folder once it is back.
 */
export class FolderPresence {
  /** folders this process alone listens to */
  private readonly alone = new Set<number>();
  /** folders whose SUBSCRIBE Redis has confirmed, while the connection holds */
  private readonly subscribed = new Set<number>();
  /** raised by each event that may make an earlier PUBLISH's count stale (any folder's: it need not be exact, only never miss one) */
  private epoch = 0;
  /** hellos of ours awaiting answers, by the hello's name */
  private readonly waits = new Map<string, { mailboxId: number; answers: number; expected: number; answered(): void }>();
  /** folders where an announcement went unanswered in time */
  private readonly unsure = new Set<number>();
  private hellos = 0;
  private connected = true;

  constructor(
    private readonly redis: Redis,
    private readonly channelOf: (mailboxId: number) => string,
    /** names this process (MailboxEvents' origin) */
    private readonly origin: string,
    private readonly log: Logger,
    /** a folder whose late answers are all in: its views should look at the store again */
    private readonly nowSure: (mailboxId: number) => void,
    private readonly answerMs = ANSWER_MS,
  ) {}

  /** whether a change to the folder may skip Redis */
  skips(mailboxId: number): boolean {
    return this.alone.has(mailboxId);
  }

  /** every other subscriber of the folder has answered this process's announcement */
  sure(mailboxId: number): boolean {
    return !this.unsure.has(mailboxId);
  }

  /** taken as a PUBLISH to the folder leaves; its count means something only if the mark is the same when it is back (`published`) */
  mark(mailboxId: number): number | null {
    return this.connected && this.subscribed.has(mailboxId) ? this.epoch : null;
  }

  published(mailboxId: number, mark: number | null, receivers: number): void {
    if (mark !== null && receivers === 1 && this.mark(mailboxId) === mark) this.alone.add(mailboxId);
  }

  /** Redis has confirmed the subscription */
  subscribedTo(mailboxId: number): void {
    this.subscribed.add(mailboxId);
    this.bump(mailboxId);
  }

  unsubscribedFrom(mailboxId: number): void {
    this.subscribed.delete(mailboxId);
    this.unsure.delete(mailboxId);
    this.bump(mailboxId);
    for (const [hello, wait] of this.waits) if (wait.mailboxId === mailboxId) this.waits.delete(hello);
  }

  /** the subscriber's connection dropped: no subscription can be trusted until it is confirmed again */
  connectionLost(): void {
    this.connected = false;
    this.subscribed.clear();
    this.alone.clear();
    this.epoch++;
  }

  connectionBack(): void {
    this.connected = true;
  }

  private bump(mailboxId: number): void {
    this.alone.delete(mailboxId);
    this.epoch++;
  }

  /** Announces this process on the folder's channel; resolves when every other subscriber has answered, or after answerMs. */
  async announce(mailboxId: number): Promise<void> {
    const hello = `${this.origin}.${++this.hellos}`;
    let answered!: () => void;
    let timer: NodeJS.Timeout | undefined;
    const inTime = new Promise<boolean>((resolve) => {
      answered = () => resolve(true);
      timer = setTimeout(() => resolve(false), this.answerMs);
    });
    // answers can come (on the subscriber's connection) before PUBLISH's count (on this one)
    const wait = { mailboxId, answers: 0, expected: Number.POSITIVE_INFINITY, answered };
    this.waits.set(hello, wait);
    const mark = this.mark(mailboxId);
    let receivers: number;
    try {
      receivers = await this.redis.publish(this.channelOf(mailboxId), JSON.stringify({ hello }));
    } catch (err) {
      clearTimeout(timer);
      this.waits.delete(hello);
      throw err;
    }
    this.published(mailboxId, mark, receivers);
    // every subscriber but this process's own
    wait.expected = receivers - 1;
    if (wait.answers >= wait.expected) wait.answered();
    const answeredInTime = await inTime;
    clearTimeout(timer);
    // unsubscribed meanwhile: nothing to wait for
    if (!this.waits.has(hello)) return;
    if (answeredInTime || wait.answers >= wait.expected) {
      this.waits.delete(hello);
      this.unsure.delete(mailboxId);
      return;
    }
    this.unsure.add(mailboxId);
    this.log.warn({ mailboxId, expected: wait.expected, answers: wait.answers }, 'a subscriber of this folder did not answer in time; its sessions read the store until it does');
  }

  /** A presence message (isPresenceMessage) heard on the folder's channel. */
  heard(mailboxId: number, message: string): void {
    const hello = message.startsWith(HELLO);
    let name: unknown;
    try {
      name = (JSON.parse(message) as { hello?: unknown; ack?: unknown })[hello ? 'hello' : 'ack'];
    } catch {
      return;
    }
    if (typeof name !== 'string') return;
    if (hello) this.helloHeard(mailboxId, name);
    else this.answerHeard(name);
  }

  private helloHeard(mailboxId: number, hello: string): void {
    if (hello.startsWith(`${this.origin}.`)) return;
    // another process now listens here: stop skipping first, then answer
    this.bump(mailboxId);
    this.redis.publish(this.channelOf(mailboxId), JSON.stringify({ ack: hello })).catch((err: Error) => this.log.warn({ err: err.message }, 'answering a subscriber’s announcement failed'));
  }

  private answerHeard(hello: string): void {
    const wait = this.waits.get(hello);
    if (!wait || ++wait.answers < wait.expected) return;
    wait.answered();
    if (!this.unsure.has(wait.mailboxId)) return;
    // the answers came late: what the folder's views read meanwhile may miss a change
    this.waits.delete(hello);
    this.unsure.delete(wait.mailboxId);
    this.nowSure(wait.mailboxId);
  }
}
