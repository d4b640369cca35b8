import { IMAP_LIMITS } from '../../shared/limits.js';
import { ImapSyntaxError } from './errors.js';
import { lexSegment, type LexState } from './lexer.js';
import { findMarker, guessTag, isBlank, lastBytes, TAG, withoutLineEnd, type Marker } from './line-framing.js';
import type {
  CommandReaderOptions,
  CommandReaderOwner,
  CommandRejection,
  ContinuationLine,
  ImapLimits,
  LiteralDecision,
  LiteralRequest,
  LiteralSink,
} from './reader-types.js';
import type { Token } from './tokens.js';

export type * from './reader-types.js';
export { TAG } from './line-framing.js';

/**
 * The incremental reader of client commands (RFC 9051 §2.2.1, §4.3, §7.5; RFC 7888
 * LITERAL+/LITERAL-; RFC 3516 literal8). The transport pushes the bytes it receives; the
 * reader calls its owner for each complete command, for each literal it must accept or
 * refuse, and for each command it could not read. Literals the owner streams are never
 * held in memory: their octets go to the owner's sink as they arrive, and `push` waits
 * for the sink, so a slow sink slows the socket down.
 *
 * One reader per connection:
 *
 *   const reader = new CommandReader(owner, { nonSynchronizingLiterals: 'LITERAL+' });
 *   for await (const chunk of socket) await reader.push(chunk); // a paused socket is the backpressure
 *   await reader.end();
 *
 * and in owner.command(read): `parseCommand(read, { utf8 })` (commands.ts), then run it.
 */

interface Pending {
  /** bytes of this command consumed so far: token positions count from the tag */
  offset: number;
  end: number;
  tokens: Token[];
  lex: LexState;
  tag: string | null;
  name: string | null;
  uid: boolean;
  argsStart: number;
  literals: number;
  buffered: number;
  textOctets: number;
  sinks: LiteralSink[];
  failure: CommandRejection | null;
}

type Target =
  | { kind: 'buffer'; bytes: Buffer; filled: number }
  | { kind: 'stream'; sink: LiteralSink }
  | { kind: 'discard' };

interface LiteralState {
  remaining: number;
  size: number;
  pos: number;
  binary: boolean;
  target: Target;
}

interface Overlong {
  octets: number;
  head: Buffer;
  tail: Buffer;
}

interface Queued {
  chunk: Buffer;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const LF = 0x0a;
const HEAD_OCTETS = 256;
const TAIL_OCTETS = 32;

const COMMAND_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

export class CommandReader {
  private readonly limits: ImapLimits;
  private readonly literalMinus: boolean;
  private readonly queue: Queued[] = [];
  private running = false;
  private broken: unknown = null;
  private dead = false;

  private chunk: Buffer = Buffer.alloc(0);
  private at = 0;

  private lineParts: Buffer[] = [];
  private lineLength = 0;
  private overlong: Overlong | null = null;
  private literal: LiteralState | null = null;
  private pending: Pending | null = null;
  private lineWanted = false;

  constructor(
    private readonly owner: CommandReaderOwner,
    options: CommandReaderOptions = {},
  ) {
    this.limits = options.limits ?? IMAP_LIMITS;
    this.literalMinus = options.nonSynchronizingLiterals === 'LITERAL-';
  }

  /**
   * Feeds received bytes. Resolves once every byte is consumed: written to a sink, or
   * parsed and handed to the owner. Await it before reading more from the socket.
   */
  push(chunk: Buffer): Promise<void> {
    if (this.broken !== null) return Promise.reject(this.broken);
    if (this.dead) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ chunk, resolve, reject });
      if (!this.running) void this.run();
    });
  }

  /** The next complete line goes to owner.line() instead of being read as a command. */
  expectLine(): void {
    this.lineWanted = true;
  }

  /**
   * Takes the bytes pushed but not yet read, so the reader stops before them. For
   * COMPRESS (the rest is compressed: inflate it and push the result) and STARTTLS
   * (RFC 9051 §6.2.1: the rest must be discarded, never read as commands). Call it from
   * owner.command().
   */
  takeUnread(): Buffer {
    const rest = [this.chunk.subarray(this.at)];
    this.at = this.chunk.length;
    for (const q of this.queue.splice(1)) {
      rest.push(q.chunk);
      q.resolve();
    }
    return Buffer.concat(rest);
  }

  /**
   * The stream ended (or the session is closing): nothing more is read, a command cut
   * short never runs, and its sinks are aborted. Pushes still queued resolve at once.
   */
  async end(): Promise<void> {
    if (this.dead) return;
    this.dead = true;
    for (const q of this.queue.splice(1)) q.resolve();
    const sinks = this.pending?.sinks.splice(0) ?? [];
    const reason = new Error('The connection closed before the command was complete');
    for (const sink of sinks) await sink.abort(reason);
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const item = this.queue[0] as Queued;
        try {
          await this.consume(item.chunk);
        } catch (err) {
          this.broken = err;
          for (const q of this.queue.splice(0)) q.reject(err);
          return;
        }
        this.queue.shift();
        item.resolve();
      }
    } finally {
      this.running = false;
    }
  }

  private async consume(chunk: Buffer): Promise<void> {
    this.chunk = chunk;
    this.at = 0;
    while (this.at < this.chunk.length && !this.dead) {
      if (this.literal) {
        await this.literalBytes(this.literal);
        continue;
      }
      const lf = this.chunk.indexOf(LF, this.at);
      const stop = lf < 0 ? this.chunk.length : lf + 1;
      const piece = this.chunk.subarray(this.at, stop);
      this.at = stop;
      if (this.overlong) {
        this.overlong.octets += piece.length;
        this.overlong.tail = lastBytes(Buffer.concat([this.overlong.tail, piece]), TAIL_OCTETS);
      } else if (this.lineLength + piece.length > this.limits.lineOctets) {
        const sofar = Buffer.concat([...this.lineParts, piece]);
        this.overlong = { octets: sofar.length, head: sofar.subarray(0, HEAD_OCTETS), tail: lastBytes(sofar, TAIL_OCTETS) };
        this.lineParts = [];
        this.lineLength = 0;
      } else {
        this.lineParts.push(piece);
        this.lineLength += piece.length;
      }
      if (lf < 0) continue;
      if (this.overlong) {
        const overlong = this.overlong;
        this.overlong = null;
        await this.overlongLine(overlong);
      } else {
        const line = this.lineParts.length === 1 ? (this.lineParts[0] as Buffer) : Buffer.concat(this.lineParts);
        this.lineParts = [];
        this.lineLength = 0;
        await this.line(line);
      }
    }
  }

  // ------------------------------------------------------------------ lines

  private async line(line: Buffer): Promise<void> {
    const content = withoutLineEnd(line);
    if (!this.pending && this.lineWanted) {
      this.lineWanted = false;
      return this.continuationLine({ kind: 'line', bytes: content });
    }
    if (!this.pending) {
      if (isBlank(content)) return; // stray line ends between commands are ignored
      this.pending = newPending(guessTag(content));
    }
    const p = this.pending;
    p.textOctets += line.length;
    if (p.textOctets > this.limits.commandTextOctets && !p.failure) {
      this.fail(p, 'BAD', null, `Command text longer than ${this.limits.commandTextOctets} octets`);
    }
    const marker = findMarker(content);
    if (!p.failure) {
      try {
        const text = marker ? content.subarray(0, marker.start) : content;
        lexSegment(text, p.offset, p.lex, this.limits.listDepth, p.tokens);
        this.identify(p, marker !== null);
      } catch (err) {
        if (!(err instanceof ImapSyntaxError)) throw err;
        this.fail(p, 'BAD', err.responseCode, err.message);
      }
    }
    const markerPos = p.offset + (marker?.start ?? 0);
    p.end = p.offset + content.length;
    p.offset += line.length;
    if (marker) await this.beginLiteral(p, marker, markerPos);
    else await this.finish();
  }

  private async overlongLine(overlong: Overlong): Promise<void> {
    const tooLong = `Line longer than ${this.limits.lineOctets} octets`;
    if (!this.pending && this.lineWanted) {
      this.lineWanted = false;
      return this.continuationLine({ kind: 'too-long', octets: overlong.octets });
    }
    const p = (this.pending ??= newPending(guessTag(overlong.head)));
    if (!p.failure) this.fail(p, 'BAD', null, tooLong);
    const marker = findMarker(withoutLineEnd(overlong.tail));
    p.end = p.offset + overlong.octets;
    p.offset += overlong.octets;
    if (marker) await this.beginLiteral(p, marker, p.offset);
    else await this.finish();
  }

  private async continuationLine(line: ContinuationLine): Promise<void> {
    if (!this.owner.line) throw new Error('CommandReader: expectLine() was called but the owner has no line()');
    await this.owner.line(line);
  }

  /** the tag, the command name and the UID prefix, once the first tokens are there */
  private identify(p: Pending, literalFollows: boolean): void {
    if (p.name !== null) return;
    const [tag, first, second] = p.tokens;
    // RFC 9051 §2.2.1: every command starts with a tag
    if (tag?.kind !== 'atom' || !TAG.test(tag.text)) {
      p.tag = null;
      throw new ImapSyntaxError('Invalid or missing tag', tag?.pos ?? 0);
    }
    p.tag = tag.text;
    if (!first) {
      if (literalFollows) throw new ImapSyntaxError('Expected a command name, found a literal', p.offset);
      return; // a later segment cannot add the name either; finish() reports it
    }
    if (first.kind !== 'atom' || !COMMAND_NAME.test(first.text)) {
      throw new ImapSyntaxError(`Invalid command name at byte ${first.pos}`, first.pos);
    }
    const name = first.text.toUpperCase();
    if (name !== 'UID') {
      p.name = name;
      p.argsStart = 2;
      return;
    }
    // RFC 9051 §6.4.9: UID prefixes COPY, MOVE, FETCH, SEARCH, STORE and EXPUNGE
    if (!second) {
      if (literalFollows) throw new ImapSyntaxError('Expected a command name after UID, found a literal', p.offset);
      return;
    }
    if (second.kind !== 'atom' || !COMMAND_NAME.test(second.text)) {
      throw new ImapSyntaxError(`Invalid command name after UID at byte ${second.pos}`, second.pos);
    }
    p.uid = true;
    p.name = second.text.toUpperCase();
    p.argsStart = 3;
  }

  private fail(p: Pending, status: 'NO' | 'BAD', code: string | null, text: string, cause?: unknown): void {
    p.failure = { tag: p.tag, status, code, text, fatal: false, ...(cause === undefined ? {} : { cause }) };
  }

  private async finish(): Promise<void> {
    const p = this.pending as Pending;
    if (!p.failure) {
      if (p.lex.depth > 0) this.fail(p, 'BAD', null, `Missing ")": ${p.lex.depth} list(s) left open`);
      else if (p.name === null) this.fail(p, 'BAD', null, p.tag === null ? 'Invalid or missing tag' : 'Missing command name');
    }
    this.pending = null;
    if (p.failure) {
      await this.abortSinks(p, new Error(p.failure.text));
      await this.owner.rejected(p.failure);
      return;
    }
    await this.owner.command({ tag: p.tag as string, name: p.name as string, uid: p.uid, args: p.tokens.slice(p.argsStart), end: p.end });
  }

  private async abortSinks(p: Pending, reason: Error): Promise<void> {
    for (const sink of p.sinks.splice(0)) await sink.abort(reason);
  }

  // ------------------------------------------------------------------ literals

  private async beginLiteral(p: Pending, marker: Marker, pos: number): Promise<void> {
    const { size, synchronizing, binary } = marker;
    if (size === null) {
      if (!synchronizing) {
        // octets follow that we cannot count: there is no way back to the next command
        this.dead = true;
        p.failure = { tag: p.tag, status: 'BAD', code: 'TOOBIG', text: 'Literal size is not a number we can count', fatal: true };
        return this.finish();
      }
      if (!p.failure) this.fail(p, 'BAD', 'TOOBIG', 'Literal too large');
    }
    if (!p.failure && p.literals >= this.limits.literalsPerCommand) {
      this.fail(p, 'BAD', null, `More than ${this.limits.literalsPerCommand} literals in one command`);
    }
    if (!p.failure && !synchronizing && this.literalMinus && (size as number) > this.limits.literalMinusOctets) {
      // RFC 7888 §4: LITERAL- refuses a larger non-synchronizing literal with BAD [TOOBIG]
      this.fail(p, 'BAD', 'TOOBIG', `Non-synchronizing literals are limited to ${this.limits.literalMinusOctets} octets (LITERAL-)`);
    }
    if (p.failure) return this.skipLiteral(p, marker, pos);

    const n = size as number;
    const request: LiteralRequest = {
      tag: p.tag as string,
      command: p.name as string,
      uid: p.uid,
      size: n,
      synchronizing,
      binary,
      args: p.tokens.slice(p.argsStart),
      depth: p.lex.depth,
      index: p.literals,
    };
    const decision: LiteralDecision = this.owner.literal ? await this.owner.literal(request) : { mode: 'buffer' };
    if (this.dead) {
      if (decision.mode === 'stream') await decision.sink.abort(new Error('The connection closed'));
      return;
    }
    let target: Target;
    if (decision.mode === 'refuse') {
      this.fail(p, decision.status, decision.code ?? null, decision.text);
      return this.skipLiteral(p, marker, pos);
    } else if (decision.mode === 'buffer') {
      const cap = decision.maxOctets ?? this.limits.bufferedLiteralOctets;
      if (n > cap) this.fail(p, 'BAD', 'TOOBIG', `Literal of ${n} octets is larger than the ${cap} allowed here`);
      else if (p.buffered + n > this.limits.bufferedCommandOctets) {
        this.fail(p, 'BAD', 'TOOBIG', `Literals of this command exceed ${this.limits.bufferedCommandOctets} octets`);
      }
      if (p.failure) return this.skipLiteral(p, marker, pos);
      p.buffered += n;
      target = { kind: 'buffer', bytes: Buffer.allocUnsafe(n), filled: 0 };
    } else {
      p.sinks.push(decision.sink);
      target = { kind: 'stream', sink: decision.sink };
    }
    p.literals++;
    this.literal = { remaining: n, size: n, pos, binary, target };
    // RFC 9051 §7.5: the client sends a synchronizing literal's octets only after "+"
    if (synchronizing) await this.owner.continuationRequest(request);
    if (n === 0 && this.literal && !this.dead) await this.endLiteral(this.literal);
  }

  /** a failed command: a synchronizing literal is never sent (the command ends now); a non-synchronizing one is read and dropped */
  private async skipLiteral(p: Pending, marker: Marker, pos: number): Promise<void> {
    if (marker.synchronizing) return this.finish();
    const n = marker.size as number;
    this.literal = { remaining: n, size: n, pos, binary: marker.binary, target: { kind: 'discard' } };
    if (n === 0) await this.endLiteral(this.literal);
  }

  private async literalBytes(lit: LiteralState): Promise<void> {
    const n = Math.min(lit.remaining, this.chunk.length - this.at);
    const data = this.chunk.subarray(this.at, this.at + n);
    this.at += n;
    lit.remaining -= n;
    (this.pending as Pending).offset += n;
    const t = lit.target;
    if (t.kind === 'buffer') {
      data.copy(t.bytes, t.filled);
      t.filled += n;
    } else if (t.kind === 'stream') {
      try {
        await t.sink.write(data);
      } catch (err) {
        if (this.dead) return;
        this.sinkFailed(lit, err);
      }
      if (this.dead) return;
    }
    if (lit.remaining === 0) await this.endLiteral(lit);
  }

  private sinkFailed(lit: LiteralState, err: unknown): void {
    const p = this.pending as Pending;
    if (!p.failure) this.fail(p, 'NO', null, 'The literal could not be stored', err);
    lit.target = { kind: 'discard' };
  }

  private async endLiteral(lit: LiteralState): Promise<void> {
    const p = this.pending as Pending;
    const t = lit.target;
    this.literal = null;
    if (t.kind === 'buffer') {
      p.tokens.push({ kind: 'literal', pos: lit.pos, bytes: t.bytes, binary: lit.binary });
    } else if (t.kind === 'stream') {
      try {
        const result: unknown = await t.sink.end();
        p.tokens.push({ kind: 'streamed', pos: lit.pos, size: lit.size, binary: lit.binary, result });
      } catch (err) {
        if (!this.dead) this.sinkFailed(lit, err);
      }
    }
    // the command goes on in the next line segment (possibly an empty one: just CRLF)
  }
}

function newPending(tag: string | null): Pending {
  return {
    offset: 0,
    end: 0,
    tokens: [],
    lex: { depth: 0 },
    tag,
    name: null,
    uid: false,
    argsStart: 0,
    literals: 0,
    buffered: 0,
    textOctets: 0,
    sinks: [],
    failure: null,
  };
}

