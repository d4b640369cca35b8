import type { IMAP_LIMITS } from '../../shared/limits.js';
import type { Token } from './tokens.js';

/** What the command reader and its owner say to each other (see command-reader.ts). */

/** IMAP_LIMITS, or a test's smaller numbers */
export type ImapLimits = { readonly [K in keyof typeof IMAP_LIMITS]: number };

export interface LiteralRequest {
  tag: string;
  /** the command name, upper-case, without a UID prefix */
  command: string;
  uid: boolean;
  /** octets announced by {n} */
  size: number;
  /** false for {n+} (RFC 7888): the client sends the octets without waiting for "+" */
  synchronizing: boolean;
  /** literal8 ~{n} (RFC 3516 §4.1): may hold NUL */
  binary: boolean;
  /** tokens after the command name that came before this literal */
  args: readonly Token[];
  /** parentheses open around the literal */
  depth: number;
  /** literals earlier in the same command */
  index: number;
}

/** Where a streamed literal's octets go, e.g. a blob-store writer. */
export interface LiteralSink {
  /** awaited before the reader reads on: this is the backpressure */
  write(chunk: Buffer): void | Promise<void>;
  /** all octets written; the value is kept as the StreamedToken's `result` */
  end(): unknown;
  /**
   * The command will not run (it failed later, or the connection closed): throw the
   * octets away, and settle a write still pending. Called for sinks that already ended, too.
   */
  abort(reason: Error): void | Promise<void>;
}

export type LiteralDecision =
  /** collect the octets into a Buffer, at most maxOctets (default limits.bufferedLiteralOctets) */
  | { mode: 'buffer'; maxOctets?: number }
  | { mode: 'stream'; sink: LiteralSink }
  /** the command fails with this status; a non-synchronizing literal is still read and discarded */
  | { mode: 'refuse'; status: 'NO' | 'BAD'; code?: string; text: string };

export interface ReadCommand {
  tag: string;
  /** upper-case command name; for "UID FETCH" this is "FETCH" and `uid` is true */
  name: string;
  uid: boolean;
  /** the tokens after the command name */
  args: Token[];
  /** byte offset of the command's final line end: "unexpected end" errors point here */
  end: number;
}

export interface CommandRejection {
  /** null when no valid tag could be read: answer with an untagged "* BAD" */
  tag: string | null;
  status: 'NO' | 'BAD';
  code: string | null;
  text: string;
  /** the reader cannot find the next command (a literal of unreadable size): close the connection */
  fatal: boolean;
  /** what a sink threw, when that is why the command failed */
  cause?: unknown;
}

/** a line read after expectLine(): IDLE's DONE, an AUTHENTICATE response */
export type ContinuationLine = { kind: 'line'; bytes: Buffer } | { kind: 'too-long'; octets: number };

export interface CommandReaderOwner {
  /** decides each literal; without it every literal is buffered */
  literal?(request: LiteralRequest): LiteralDecision | Promise<LiteralDecision>;
  /** a synchronizing literal was accepted: write "+ Ready for literal data" now (RFC 9051 §7.5) */
  continuationRequest(request: LiteralRequest): void | Promise<void>;
  /**
   * A complete command. The reader reads nothing more until this returns, so it must not
   * wait for more input: for IDLE or AUTHENTICATE, call expectLine() and return.
   */
  command(command: ReadCommand): void | Promise<void>;
  rejected(rejection: CommandRejection): void | Promise<void>;
  /** the line after expectLine() */
  line?(line: ContinuationLine): void | Promise<void>;
}

export interface CommandReaderOptions {
  limits?: ImapLimits;
  /** which RFC 7888 capability the server advertises; LITERAL- caps {n+} at limits.literalMinusOctets */
  nonSynchronizingLiterals?: 'LITERAL+' | 'LITERAL-';
}
