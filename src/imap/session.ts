import { once } from 'node:events';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { TLSSocket } from 'node:tls';
import zlib from 'node:zlib';
import type { Account } from '../identity/accounts.js';
import type { MailboxChange } from '../mail/index.js';
import { capabilities } from './capabilities.js';
import type { ImapContext } from './context.js';
import { dispatch } from './dispatcher.js';
import { appendLiteral } from './commands/append.js';
import type { MailboxWatcher } from './mailbox-events.js';
import { ImapNo } from './errors.js';
import { CommandReader, type CommandReaderOwner, type CommandRejection, type ContinuationLine, type LiteralDecision, type LiteralRequest, type ReadCommand } from './protocol/command-reader.js';
import { continuation, untaggedStatus, codes, statusResponse } from './protocol/response-writer.js';
import type { HeardChanges, SelectedMailbox } from './selected-mailbox.js';

export type SessionState = 'not-authenticated' | 'authenticated' | 'selected' | 'logout';

export interface SessionOptions {
  /** the implicit-TLS port */
  implicitTls: boolean;
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/** One IMAP connection (RFC 9051 §3): its state, its socket and its selected mailbox. */
export class Session implements CommandReaderOwner, MailboxWatcher {
  state: SessionState = 'not-authenticated';
  account: Account | null = null;
  selected: SelectedMailbox | null = null;
  secure: boolean;
  /** RFC 6855 §3 UTF8=ACCEPT, or IMAP4rev2 (RFC 9051 §5.1): mailbox names and strings in UTF-8 */
  utf8 = false;
  /** RFC 9051 §6.3.1: ENABLE IMAP4rev2 was given; the session follows IMAP4rev2 where it differs from IMAP4rev1 */
  rev2 = false;
  readonly enabled = new Set<string>();
  /** RFC 7162 §3.1: a CONDSTORE enabling command was seen */
  condstore = false;
  /** RFC 7162 §3.2.3: ENABLE QRESYNC was given (expunges are then announced as VANISHED) */
  qresync = false;
  readonly remoteAddress: string;
  /** the client's name and version from ID (RFC 2971), when it sent one */
  clientId: string | undefined;
  private socket: Socket;
  /** where the plain bytes come from: the socket, or the inflater under COMPRESS=DEFLATE */
  private input: Readable;
  /** RFC 4978: everything the server sends goes through this once COMPRESS DEFLATE is on */
  private deflate: zlib.DeflateRaw | null = null;
  private flushScheduled = false;
  /** the socket whose writes wait for the end of this turn of the event loop (send) */
  private corked: Socket | null = null;
  private readonly uncork = (): void => {
    const socket = this.corked;
    this.corked = null;
    socket?.uncork();
  };
  /** the account counted against imap.maxConnectionsPerUser */
  private counted: string | null = null;
  private readonly reader: CommandReader;
  private lineHandler: ((line: ContinuationLine) => Promise<void>) | null = null;
  /** set while IDLE runs: notifications are written at once */
  idling: (() => Promise<void>) | null = null;
  private closed = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly ctx: ImapContext,
    socket: Socket,
    private readonly options: SessionOptions,
  ) {
    this.socket = socket;
    this.input = socket;
    this.secure = options.implicitTls;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.reader = new CommandReader(this, { nonSynchronizingLiterals: 'LITERAL+' });
    this.attach(socket);
  }

  get log() {
    return this.ctx.log;
  }

  /** RFC 9051 §6.2.3: plaintext LOGIN only over TLS, or from loopback when configured */
  get plaintextLoginAllowed(): boolean {
    return this.secure || (this.ctx.config.imap.allowPlaintextLoginOnLoopback && LOOPBACK.test(this.remoteAddress));
  }

  capabilities(): string[] {
    return capabilities({
      authenticated: this.state !== 'not-authenticated',
      secure: this.secure,
      plaintextLoginAllowed: this.plaintextLoginAllowed,
      startTls: !this.options.implicitTls,
      appendLimit: this.ctx.config.smtp.maxMessageBytes,
    });
  }

  greet(): void {
    this.send(untaggedStatus('OK', 'hopthu ready', codes.capability(this.capabilities())));
  }

  send(bytes: Buffer): void {
    if (this.closed || !this.socket.writable) return;
    if (!this.deflate) {
      // the responses written in one turn of the event loop (a SELECT's, a catch-up's and its
      // tagged OK) leave in one write: one system call, not one a line
      if (!this.corked) {
        this.corked = this.socket;
        this.socket.cork();
        process.nextTick(this.uncork);
      }
      this.socket.write(bytes);
      return;
    }
    this.deflate.write(bytes);
    // RFC 4978 §4: each response is flushed so the client can read it; the responses one
    // command writes in a row share one flush
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.deflate?.flush(zlib.constants.Z_SYNC_FLUSH);
      });
    }
  }

  /** waits while the socket's (or the compressor's) buffer is full (large FETCH responses) */
  async drain(): Promise<void> {
    const out = this.deflate ?? this.socket;
    if (this.closed || !out.writableNeedDrain) return;
    await Promise.race([once(out, 'drain'), once(this.socket, 'close')]);
  }

  /** RFC 9051 §6.2.2/§6.2.3: the account is logged in, unless it already holds imap.maxConnectionsPerUser sessions here */
  signIn(account: Account): void {
    const key = String(account.id);
    if (!this.ctx.userConnections.tryOpen(key)) {
      // RFC 5530 §3: LIMIT, an administrative limit was reached
      throw new ImapNo('LIMIT', `This account already has ${this.ctx.config.imap.maxConnectionsPerUser} IMAP connections open; close one and try again`);
    }
    this.counted = key;
    this.account = account;
    this.state = 'authenticated';
  }

  get compressed(): boolean {
    return this.deflate !== null;
  }

  /**
   * RFC 4978 §3: from right after the tagged OK of COMPRESS DEFLATE, both directions are
   * raw DEFLATE (RFC 1951) streams, under TLS when TLS is on.
   */
  startCompression(): void {
    // the tagged OK leaves uncompressed, before anything compressed
    this.uncork();
    const socket = this.socket;
    const leftover = this.reader.takeUnread();
    socket.removeListener('data', this.onData);
    const inflate = zlib.createInflateRaw();
    const deflate = zlib.createDeflateRaw();
    deflate.pipe(socket);
    deflate.on('error', () => socket.destroy());
    inflate.on('error', (err) => {
      this.log.warn({ err: err.message }, 'IMAP COMPRESS: the client sent data that does not inflate');
      socket.destroy();
    });
    inflate.on('data', this.onData);
    socket.pipe(inflate);
    if (leftover.length) inflate.write(leftover);
    this.input = inflate;
    this.deflate = deflate;
  }

  /** runs `fn` after whatever the session is doing (notifications during IDLE) */
  exclusive(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => {});
    return next;
  }

  expectLine(handler: (line: ContinuationLine) => Promise<void>): void {
    this.lineHandler = handler;
    this.reader.expectLine();
  }

  /** RFC 9051 §7.5.1: untagged updates before the tagged answer */
  async catchUp(allowExpunge: boolean, withUid: boolean): Promise<void> {
    const sel = this.selected;
    if (!sel || !sel.behind) return;
    for (const line of await sel.sync(this.ctx.db, allowExpunge, withUid, this.condstore, this.heardChanges(sel).underway)) this.send(line);
    if (sel.gone) {
      // RFC 9051 §7.1.5: the selected folder was deleted by someone else; nothing sensible is left
      this.send(untaggedStatus('BYE', 'The selected folder was deleted'));
      this.close();
    }
  }

  /** how `sel` hears of its folder's changes: this process's under way, and the others' through Redis */
  heardChanges(sel: SelectedMailbox): HeardChanges {
    const events = this.ctx.events;
    return { listening: events.listeningTo(sel.id), underway: () => events.underway(sel.id, (sel.owner ?? this.account!).id) };
  }

  select(sel: SelectedMailbox | null): void {
    const old = [this.selected, this.closing];
    this.selected = sel;
    this.closing = null;
    // a folder selected again stays watched (one watch per session and folder)
    for (const o of old) if (o && o.id !== sel?.id) this.ctx.events.unwatch(o.id, this);
    this.state = sel ? 'selected' : this.account ? 'authenticated' : 'not-authenticated';
  }

  /**
   * RFC 9051 §6.3.2: a SELECT ends the current selection first. The old view still hears
   * of its folder's changes until the new one is chosen (`select`), so that a SELECT of the
   * same folder can carry it over without missing one.
   */
  deselect(): SelectedMailbox | null {
    const previous = this.selected;
    this.selected = null;
    this.closing = previous;
    this.state = this.account ? 'authenticated' : 'not-authenticated';
    return previous;
  }

  /** the view a SELECT is replacing, while it runs */
  private closing: SelectedMailbox | null = null;

  mailboxChanged(change: MailboxChange): void {
    const sel = this.selected?.id === change.mailboxId ? this.selected : this.closing?.id === change.mailboxId ? this.closing : null;
    if (!sel) return;
    sel.noteChange(change);
    if (sel === this.selected && this.idling) void this.exclusive(this.idling).catch(() => {});
  }

  mailboxMayHaveChanged(mailboxId: number): void {
    for (const sel of [this.selected, this.closing]) if (sel?.id === mailboxId) sel.stale = true;
    if (this.selected?.id === mailboxId && this.idling) void this.exclusive(this.idling).catch(() => {});
  }

  // ------------------------------------------------------------------ reader owner

  literal(request: LiteralRequest): LiteralDecision {
    return appendLiteral(this, request) ?? { mode: 'buffer' };
  }

  continuationRequest(): void {
    this.send(continuation());
  }

  async command(command: ReadCommand): Promise<void> {
    await this.exclusive(() => dispatch(this, command));
  }

  rejected(r: CommandRejection): void {
    // RFC 9051 §7.1.3: a command that cannot be read is BAD; untagged when even the tag is unreadable
    this.send(statusResponse(r.tag ?? '*', r.status, r.text, r.code));
    if (r.fatal) this.close();
  }

  async line(line: ContinuationLine): Promise<void> {
    const handler = this.lineHandler;
    this.lineHandler = null;
    if (handler) await this.exclusive(() => handler(line));
  }

  // ------------------------------------------------------------------ transport

  private readonly onData = (chunk: Buffer): void => {
    const input = this.input;
    input.pause();
    this.reader.push(chunk).then(
      () => {
        if (!this.closed) input.resume();
      },
      (err: Error) => {
        this.log.warn({ err: err.message }, 'IMAP connection failed');
        this.close();
      },
    );
  };

  private readonly onClose = (): void => {
    this.closed = true;
    if (this.counted !== null) this.ctx.userConnections.close(this.counted);
    this.counted = null;
    if (this.selected) this.ctx.events.unwatch(this.selected.id, this);
    if (this.closing) this.ctx.events.unwatch(this.closing.id, this);
    this.closing = null;
    this.state = 'logout';
    this.reader.end().catch(() => {});
  };

  private readonly onTimeout = (): void => {
    // RFC 9051 §5.4: the autologout timer is at least 30 minutes
    this.send(untaggedStatus('BYE', 'Autologout; idle for too long'));
    this.close();
  };

  private attach(socket: Socket): void {
    this.socket = socket;
    this.input = socket;
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('error', () => socket.destroy());
    socket.setTimeout(this.ctx.config.imap.idleTimeoutMinutes * 60_000, this.onTimeout);
  }

  /** RFC 9051 §6.2.1: TLS negotiation starts right after the tagged OK; bytes sent before it are discarded */
  startTls(): void {
    // the tagged OK leaves in plain text, before the handshake
    this.uncork();
    const raw = this.socket;
    raw.removeListener('data', this.onData);
    raw.removeListener('close', this.onClose);
    raw.setTimeout(0);
    this.reader.takeUnread();
    const secure = new TLSSocket(raw, { isServer: true, secureContext: this.ctx.secureContext });
    this.secure = true;
    this.attach(secure);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // under COMPRESS, ending the compressor finishes its stream and then ends the socket
    if (this.deflate) this.deflate.end();
    else this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }
}
