/**
 * Fills INBOXes the same way on both servers: MULTIAPPEND (RFC 3502) of `batch` messages
 * per command, each a LITERAL+ literal with its flags and internal date, one connection
 * per mailbox so UIDs run 1..count in message order.
 */
import { ImapClient } from './client.js';
import { dateOf, flagsOf, imapDate, makeMessage } from './messages.js';
import { loginCommand, type ImapServer, type ImapUser } from './server.js';

export async function populate(server: ImapServer, user: ImapUser, count: number, run: string, batch = 100): Promise<void> {
  const client = await ImapClient.connect({ port: server.imapPort });
  try {
    await client.ok(loginCommand(user));
    for (let start = 0; start < count; start += batch) {
      const pieces: Array<string | Buffer> = ['APPEND INBOX'];
      for (let i = start; i < Math.min(count, start + batch); i++) {
        const message = makeMessage(i, user.user, run);
        pieces.push(` ${flagsOf(i)} ${imapDate(dateOf(i))} {${message.length}+}\r\n`, message);
      }
      await client.ok(...pieces);
    }
  } finally {
    await client.logout();
  }
}

/** populate() for several mailboxes, `parallel` at a time; resolves with the seconds it took. */
export async function populateAll(server: ImapServer, jobs: Array<{ user: ImapUser; count: number }>, run: string, parallel = 3): Promise<number> {
  const started = performance.now();
  const queue = [...jobs];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await populate(server, job.user, job.count, run);
    }),
  );
  return (performance.now() - started) / 1000;
}
