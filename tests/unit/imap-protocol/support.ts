/**
 * Test helpers for the IMAP grammar: a recording reader owner, and commands written as
 * text with literals spelled `{n}` CRLF octets.
 */
import { ArgParser, type ParseContext } from '../../../src/imap/protocol/arg-parser.js';
import {
  CommandReader,
  type CommandReaderOptions,
  type CommandReaderOwner,
  type CommandRejection,
  type ContinuationLine,
  type LiteralDecision,
  type LiteralRequest,
  type ReadCommand,
} from '../../../src/imap/protocol/command-reader.js';
import { parseCommand, type ParsedCommand } from '../../../src/imap/protocol/commands.js';

export type ReaderEvent =
  | { type: 'literal'; request: LiteralRequest }
  | { type: 'continue' }
  | { type: 'command'; command: ReadCommand }
  | { type: 'rejected'; rejection: CommandRejection }
  | { type: 'line'; line: ContinuationLine };

export class Recorder implements CommandReaderOwner {
  readonly events: ReaderEvent[] = [];
  constructor(private readonly decide: (req: LiteralRequest) => LiteralDecision | Promise<LiteralDecision> = () => ({ mode: 'buffer' })) {}
  literal(request: LiteralRequest): LiteralDecision | Promise<LiteralDecision> {
    this.events.push({ type: 'literal', request });
    return this.decide(request);
  }
  continuationRequest(): void {
    this.events.push({ type: 'continue' });
  }
  command(command: ReadCommand): void {
    this.events.push({ type: 'command', command });
  }
  rejected(rejection: CommandRejection): void {
    this.events.push({ type: 'rejected', rejection });
  }
  line(line: ContinuationLine): void {
    this.events.push({ type: 'line', line });
  }
  get commands(): ReadCommand[] {
    return this.events.flatMap((e) => (e.type === 'command' ? [e.command] : []));
  }
  get rejections(): CommandRejection[] {
    return this.events.flatMap((e) => (e.type === 'rejected' ? [e.rejection] : []));
  }
}

export async function read(
  input: string | Buffer | readonly (string | Buffer)[],
  decide?: (req: LiteralRequest) => LiteralDecision | Promise<LiteralDecision>,
  options?: CommandReaderOptions,
): Promise<Recorder> {
  const owner = new Recorder(decide);
  const reader = new CommandReader(owner, options);
  const chunks = Array.isArray(input) ? input : [input];
  for (const c of chunks) await reader.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : (c as Buffer));
  return owner;
}

/** reads exactly one command (a CRLF is added when missing) */
export async function readOne(text: string | Buffer): Promise<ReadCommand> {
  let bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  if (bytes[bytes.length - 1] !== 0x0a) bytes = Buffer.concat([bytes, Buffer.from('\r\n')]);
  const owner = await read(bytes);
  const [first] = owner.events.filter((e) => e.type === 'command' || e.type === 'rejected');
  if (first?.type !== 'command') throw new Error(`not read as a command: ${JSON.stringify(first)}`);
  return first.command;
}

/** parses one command line (a CRLF is added; `{n}` literals may be embedded) */
export async function parse(text: string | Buffer, context: Partial<ParseContext> = {}): Promise<ParsedCommand> {
  return parseCommand(await readOne(text), context);
}

/** parses the arguments of `A1 <NAME> <args>` with one production */
export async function withParser<T>(command: string, fn: (p: ArgParser) => T, context: Partial<ParseContext> = {}): Promise<T> {
  const cmd = await readOne(command);
  return fn(ArgParser.of(cmd, context));
}

/** the error a promise or function rejects with */
export async function errorOf(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

/** the ImapSyntaxError message parsing `command` gives */
export async function syntaxError(command: string | Buffer, context: Partial<ParseContext> = {}): Promise<string> {
  const { ImapSyntaxError } = await import('../../../src/imap/protocol/errors.js');
  const err = await errorOf(() => parse(command, context));
  if (!(err instanceof ImapSyntaxError)) throw err;
  return err.message;
}
