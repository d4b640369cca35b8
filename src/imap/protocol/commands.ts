import { ArgParser, type ParseContext } from './arg-parser.js';
import { parseAppendArgs } from './append-args.js';
import type { ReadCommand } from './command-reader.js';
import { ImapSyntaxError } from './errors.js';
import { parseFetchArgs } from './fetch-args.js';
import { parseListArgs, parseLsubArgs, parseStatusArgs } from './list-args.js';
import {
  parseAuthenticateArgs,
  parseCompressArgs,
  parseCopyArgs,
  parseCreateArgs,
  parseExpungeArgs,
  parseLoginArgs,
  parseMailboxArg,
  parseMailboxIdentifierArgs,
  parseNoArgs,
  parseQuotaRootArg,
  parseRenameArgs,
  parseSetAclArgs,
  parseSetQuotaArgs,
} from './misc-args.js';
import { parseSearchArgs } from './search-args.js';
import { parseEnableArgs, parseIdArgs, parseSelectArgs } from './select-args.js';
import { parseSortArgs, parseThreadArgs } from './sort-thread-args.js';
import { parseStoreArgs } from './store-args.js';

/**
 * The argument grammar of every command hopthu understands, as data: name → parser.
 * A command module can use its entry directly (`parse: (p) => COMMAND_GRAMMAR.FETCH(p, uid)`),
 * or the dispatcher can parse everything with parseCommand().
 */
export const COMMAND_GRAMMAR = {
  // RFC 9051 §6.1 any state
  CAPABILITY: (p: ArgParser) => parseNoArgs(p),
  NOOP: (p: ArgParser) => parseNoArgs(p),
  LOGOUT: (p: ArgParser) => parseNoArgs(p),
  ID: (p: ArgParser) => parseIdArgs(p),
  // §6.2 not authenticated
  STARTTLS: (p: ArgParser) => parseNoArgs(p),
  AUTHENTICATE: (p: ArgParser) => parseAuthenticateArgs(p),
  LOGIN: (p: ArgParser) => parseLoginArgs(p),
  // §6.3 authenticated
  ENABLE: (p: ArgParser) => parseEnableArgs(p),
  SELECT: (p: ArgParser) => parseSelectArgs(p),
  EXAMINE: (p: ArgParser) => parseSelectArgs(p),
  CREATE: (p: ArgParser) => parseCreateArgs(p),
  DELETE: (p: ArgParser) => parseMailboxArg(p),
  RENAME: (p: ArgParser) => parseRenameArgs(p),
  SUBSCRIBE: (p: ArgParser) => parseMailboxArg(p),
  UNSUBSCRIBE: (p: ArgParser) => parseMailboxArg(p),
  LIST: (p: ArgParser) => parseListArgs(p),
  LSUB: (p: ArgParser) => parseLsubArgs(p),
  NAMESPACE: (p: ArgParser) => parseNoArgs(p),
  STATUS: (p: ArgParser) => parseStatusArgs(p),
  APPEND: (p: ArgParser) => parseAppendArgs(p),
  IDLE: (p: ArgParser) => parseNoArgs(p),
  COMPRESS: (p: ArgParser) => parseCompressArgs(p),
  // RFC 9208 QUOTA
  GETQUOTA: (p: ArgParser) => parseQuotaRootArg(p),
  GETQUOTAROOT: (p: ArgParser) => parseMailboxArg(p),
  SETQUOTA: (p: ArgParser) => parseSetQuotaArgs(p),
  // RFC 4314 ACL
  SETACL: (p: ArgParser) => parseSetAclArgs(p),
  DELETEACL: (p: ArgParser) => parseMailboxIdentifierArgs(p),
  GETACL: (p: ArgParser) => parseMailboxArg(p),
  LISTRIGHTS: (p: ArgParser) => parseMailboxIdentifierArgs(p),
  MYRIGHTS: (p: ArgParser) => parseMailboxArg(p),
  // §6.4 selected
  CHECK: (p: ArgParser) => parseNoArgs(p),
  CLOSE: (p: ArgParser) => parseNoArgs(p),
  UNSELECT: (p: ArgParser) => parseNoArgs(p),
  EXPUNGE: (p: ArgParser, uid: boolean) => parseExpungeArgs(p, uid),
  SEARCH: (p: ArgParser) => parseSearchArgs(p),
  FETCH: (p: ArgParser, uid: boolean) => parseFetchArgs(p, uid),
  STORE: (p: ArgParser) => parseStoreArgs(p),
  COPY: (p: ArgParser) => parseCopyArgs(p),
  MOVE: (p: ArgParser) => parseCopyArgs(p),
  SORT: (p: ArgParser) => parseSortArgs(p),
  THREAD: (p: ArgParser) => parseThreadArgs(p),
} as const;

type Grammar = typeof COMMAND_GRAMMAR;
export type CommandName = keyof Grammar;
export type CommandArgs<N extends CommandName> = ReturnType<Grammar[N]>;

export type ParsedCommand = {
  [N in CommandName]: { tag: string; name: N; uid: boolean; args: CommandArgs<N> };
}[CommandName];

/** RFC 9051 §6.4.9 (COPY MOVE FETCH SEARCH STORE EXPUNGE), RFC 5256 §3 (SORT THREAD) */
export const UID_COMMANDS: ReadonlySet<CommandName> = new Set<CommandName>(['COPY', 'MOVE', 'FETCH', 'SEARCH', 'STORE', 'EXPUNGE', 'SORT', 'THREAD']);

export const isCommandName = (name: string): name is CommandName => Object.hasOwn(COMMAND_GRAMMAR, name);

/**
 * Parses the arguments of a command the reader produced. Throws ImapSyntaxError (answer
 * BAD) or ImapBadCharsetError (answer NO [BADCHARSET]).
 */
export function parseCommand(cmd: ReadCommand, context: Partial<ParseContext> = {}): ParsedCommand {
  if (!isCommandName(cmd.name)) {
    throw new ImapSyntaxError(`Unknown command ${JSON.stringify(cmd.name.length > 40 ? `${cmd.name.slice(0, 37)}...` : cmd.name)}`, 0);
  }
  if (cmd.uid && !UID_COMMANDS.has(cmd.name)) throw new ImapSyntaxError(`UID cannot prefix ${cmd.name} (RFC 9051 section 6.4.9)`, 0);
  const p = ArgParser.of(cmd, context);
  const parse = COMMAND_GRAMMAR[cmd.name] as (p: ArgParser, uid: boolean) => unknown;
  const args = parse(p, cmd.uid);
  return { tag: cmd.tag, name: cmd.name, uid: cmd.uid, args } as ParsedCommand;
}
