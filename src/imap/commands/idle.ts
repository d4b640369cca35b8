import { AUTHENTICATED, type Command } from '../command.js';
import { isIdleDone } from '../protocol/misc-args.js';
import { continuation, tagged } from '../protocol/response-writer.js';

/**
 * RFC 2177 §3: "+ idling", then untagged updates as they happen (EXISTS for new mail,
 * EXPUNGE, FETCH FLAGS), until the client sends DONE.
 */
export const idle: Command<'IDLE'> = {
  states: AUTHENTICATED,
  async run(session, _args, { tag }) {
    session.send(continuation('idling'));
    const flush = async () => {
      await session.catchUp(true, false);
    };
    session.idling = flush;
    // what was heard of before IDLE goes out now; from here on, each notification flushes
    await flush();
    session.expectLine(async (line) => {
      session.idling = null;
      if (line.kind === 'line' && isIdleDone(line.bytes)) {
        await session.catchUp(true, false);
        session.send(tagged(tag, 'OK', 'IDLE terminated'));
      } else {
        session.send(tagged(tag, 'BAD', 'Expected DONE to end IDLE (RFC 2177 section 3)'));
      }
    });
    return { deferred: true };
  },
};
