/**
 * One large mailbox: SELECT, `UID FETCH 1:* (FLAGS ENVELOPE)`, two header searches and a
 * body search, each timed from sending the command to its tagged OK (every untagged
 * response read), repeated `repetitions` times on a fresh connection each; the answers
 * are checked (EXISTS, one FETCH per message, the same hits every time).
 */
import { ImapClient, ImapClientError, imapString } from './client.js';
import { BODY_SEARCH_PHRASE, HEADER_SEARCH_FROM, HEADER_SEARCH_SUBJECT } from './messages.js';
import { loginCommand, type ImapServer, type ImapUser } from './server.js';

export const BIG_MAILBOX_STEPS = ['select', 'fetchAll', 'searchSubject', 'searchFrom', 'searchBody'] as const;
export type BigMailboxStep = (typeof BIG_MAILBOX_STEPS)[number];

export interface BigMailboxResult {
  /** milliseconds per repetition, in order (the first is the coldest) */
  ms: Record<BigMailboxStep, number[]>;
  /** hits of each search */
  hits: Record<'searchSubject' | 'searchFrom' | 'searchBody', number>;
  /** bytes of the FETCH 1:* answer */
  fetchAllBytes: number;
}

const searchHits = (untagged: string[]) =>
  untagged.filter((l) => /^\* SEARCH\b/i.test(l)).reduce((n, l) => n + l.split(' ').length - 2, 0);

export async function timeBigMailbox(server: ImapServer, user: ImapUser, messages: number, repetitions: number): Promise<BigMailboxResult> {
  const ms = Object.fromEntries(BIG_MAILBOX_STEPS.map((s) => [s, [] as number[]])) as Record<BigMailboxStep, number[]>;
  const hits = { searchSubject: -1, searchFrom: -1, searchBody: -1 };
  let fetchAllBytes = 0;
  for (let rep = 0; rep < repetitions; rep++) {
    const client = await ImapClient.connect({ port: server.imapPort });
    try {
      await client.ok(loginCommand(user));
      const timed = async (step: BigMailboxStep, ...command: string[]) => {
        const started = performance.now();
        const r = await client.ok(...command);
        ms[step].push(performance.now() - started);
        return r;
      };
      const selected = await timed('select', 'SELECT INBOX');
      const exists = selected.untagged.map((l) => /^\* (\d+) EXISTS/i.exec(l)).find(Boolean);
      if (Number(exists?.[1]) !== messages) throw new ImapClientError(`${server.name}: SELECT says ${exists?.[1]} messages, expected ${messages}`);
      const fetched = await timed('fetchAll', 'UID FETCH 1:* (FLAGS ENVELOPE)');
      const fetches = fetched.untagged.filter((l) => / FETCH /i.test(l)).length;
      if (fetches !== messages) throw new ImapClientError(`${server.name}: UID FETCH 1:* gave ${fetches} FETCH responses, expected ${messages}`);
      fetchAllBytes = fetched.untagged.reduce((n, l) => n + l.length + 2, 0);
      for (const [step, command] of [
        ['searchSubject', `UID SEARCH CHARSET UTF-8 SUBJECT ${imapString(HEADER_SEARCH_SUBJECT)}`],
        ['searchFrom', `UID SEARCH FROM ${imapString(HEADER_SEARCH_FROM)}`],
        ['searchBody', `UID SEARCH CHARSET UTF-8 BODY ${imapString(BODY_SEARCH_PHRASE)}`],
      ] as const) {
        const n = searchHits((await timed(step, command)).untagged);
        if (hits[step] >= 0 && hits[step] !== n) throw new ImapClientError(`${server.name}: ${command} found ${n}, earlier ${hits[step]}`);
        hits[step] = n;
      }
    } finally {
      await client.logout();
    }
  }
  return { ms, hits, fetchAllBytes };
}
