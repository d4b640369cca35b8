import { failureOf } from './errors.js';
import { tagged } from './protocol/response-writer.js';
import type { Session } from './session.js';

/** The tagged NO or BAD for what a command threw; a server fault is logged and answered NO [SERVERBUG]. */
export function answerFailure(session: Session, tag: string, label: string, err: unknown): void {
  const failure = failureOf(err);
  if (failure) {
    session.send(tagged(tag, failure.status, failure.text, failure.code));
    return;
  }
  session.log.error({ err, command: label }, 'IMAP command failed');
  session.send(tagged(tag, 'NO', `${label} failed because of a server error; try again later`, 'SERVERBUG'));
}
