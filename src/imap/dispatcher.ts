import type { Command, Outcome } from './command.js';
import { imapCommands } from '../shared/metrics.js';
import { answerFailure } from './answer.js';
import { parseCommand, type CommandName, type ParsedCommand } from './protocol/commands.js';
import type { ReadCommand } from './protocol/command-reader.js';
import { tagged } from './protocol/response-writer.js';
import type { Session } from './session.js';
import { COMMANDS } from './commands/index.js';
import { asksToSave } from './commands/search.js';
import { recheckSelectedAccess } from './mailbox-access.js';

/** RFC 9051 §7.5.1: no untagged EXPUNGE while a command that uses sequence numbers runs */
const NO_EXPUNGE: ReadonlySet<CommandName> = new Set<CommandName>(['FETCH', 'STORE', 'SEARCH', 'SORT', 'THREAD']);

const STATE_HINT: Record<string, string> = {
  'not-authenticated': 'log in first',
  authenticated: 'select a folder first',
  selected: 'not while a folder is selected',
  logout: 'the session is ending',
};

/**
 * Runs one command: parse, check the state, run, then the untagged updates and the tagged
 * answer. Only here do errors become NO or BAD.
 */
export async function dispatch(session: Session, read: ReadCommand): Promise<void> {
  const tag = read.tag;
  const label = `${read.uid ? 'UID ' : ''}${read.name}`;
  let parsed: ParsedCommand;
  try {
    parsed = parseCommand(read, { utf8: session.utf8 });
  } catch (err) {
    // RFC 5182 §2.1: a SEARCH RETURN (SAVE) that fails, even with BAD, empties the saved result
    if (read.name === 'SEARCH' && session.selected && asksToSave(read)) session.selected.saved = [];
    answerFailure(session, tag, label, err);
    return;
  }
  const command = COMMANDS[parsed.name] as Command<CommandName> | undefined;
  if (command) imapCommands.inc({ command: label });
  if (!command) {
    session.send(tagged(tag, 'BAD', `${label} is not supported by this server`));
    return;
  }
  if (!command.states.includes(session.state)) {
    // RFC 9051 §3: a command outside the states it belongs to is a protocol error
    session.send(tagged(tag, 'BAD', `${label} is not allowed now: ${STATE_HINT[session.state] ?? ''}`));
    return;
  }
  let outcome: Outcome | void;
  try {
    if (parsed.name !== 'LOGOUT' && !(await recheckSelectedAccess(session))) return;
    outcome = await command.run(session, parsed.args as never, { tag, name: parsed.name, uid: parsed.uid });
  } catch (err) {
    answerFailure(session, tag, label, err);
    return;
  }
  if (outcome?.deferred) return;
  try {
    await session.catchUp(!(NO_EXPUNGE.has(parsed.name) && !parsed.uid), parsed.uid);
  } catch (err) {
    session.log.warn({ err: (err as Error).message }, 'IMAP catch-up failed');
  }
  session.send(tagged(tag, 'OK', outcome?.text ?? `${label} completed`, outcome?.code ?? null));
  outcome?.after?.();
}
