import type { CommandArgs, CommandName } from './protocol/commands.js';
import type { ResponseCode } from './protocol/response-writer.js';
import type { Session, SessionState } from './session.js';

/** How a command finished; the dispatcher writes the tagged OK from it. */
export interface Outcome {
  text?: string;
  code?: ResponseCode | null;
  /** the command answers later itself (IDLE, AUTHENTICATE waiting for a line) */
  deferred?: boolean;
  /** runs right after the tagged OK is written (STARTTLS's handshake, LOGOUT's close) */
  after?: () => void;
}

export interface CommandInfo {
  tag: string;
  name: CommandName;
  uid: boolean;
}

/** A command as data (STYLE.md): the states it is allowed in, and what it does with its parsed arguments. */
export interface Command<N extends CommandName> {
  states: readonly SessionState[];
  run(session: Session, args: CommandArgs<N>, info: CommandInfo): Promise<Outcome | void>;
}

export const ANY: readonly SessionState[] = ['not-authenticated', 'authenticated', 'selected'];
export const AUTHENTICATED: readonly SessionState[] = ['authenticated', 'selected'];
export const SELECTED: readonly SessionState[] = ['selected'];
export const NOT_AUTHENTICATED: readonly SessionState[] = ['not-authenticated'];
