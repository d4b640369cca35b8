import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imapClient, PASSWORD, RawImap, setupImap, type ImapTestSetup, rawLoggedIn } from './helpers.js';

let t: ImapTestSetup;

beforeAll(async () => {
  t = await setupImap();
  const client = imapClient(t.server);
  await client.connect();
  await client.append('INBOX', 'Subject: mot\r\n\r\nthu mot\r\n');
  await client.append('INBOX', 'Subject: hai\r\n\r\nthu hai\r\n');
  await client.logout();
});

afterAll(async () => {
  await t?.env.stop();
});

const loggedIn = (): Promise<RawImap> => rawLoggedIn(t.server.ports.imap!);

const highest = (lines: string[]) => Number(/HIGHESTMODSEQ (\d+)/.exec(lines.join('\n'))?.[1]);

describe('CONDSTORE (RFC 7162 §3.1)', () => {
  it('ENABLE CONDSTORE answers * ENABLED CONDSTORE; SELECT answers [HIGHESTMODSEQ]', async () => {
    const c = await loggedIn();
    expect(await c.command('a1', 'ENABLE CONDSTORE')).toEqual(['* ENABLED CONDSTORE', 'a1 OK ENABLE completed']);
    const r = await c.command('a2', 'SELECT INBOX');
    expect(highest(r)).toBeGreaterThan(0);
    c.close();
  });

  it('FETCH MODSEQ, CHANGEDSINCE, STORE UNCHANGEDSINCE with [MODIFIED], SEARCH MODSEQ', async () => {
    const c = await loggedIn();
    const sel = await c.command('s', 'SELECT INBOX (CONDSTORE)');
    const before = highest(sel);
    const st = await c.command('a1', 'STORE 1 +FLAGS (\\Flagged)');
    const m = /^\* 1 FETCH \(FLAGS \(\\Flagged\) MODSEQ \((\d+)\)\)$/.exec(st[0] ?? '');
    expect(m, st.join('\n')).toBeTruthy();
    const modseq = Number(m![1]);
    expect(modseq).toBeGreaterThan(before);
    const changed = await c.command('a2', `FETCH 1:* (FLAGS) (CHANGEDSINCE ${before})`);
    expect(changed).toEqual([`* 1 FETCH (FLAGS (\\Flagged) MODSEQ (${modseq}))`, 'a2 OK FETCH completed']);
    const cond = await c.command('a3', `STORE 1:2 (UNCHANGEDSINCE ${before}) +FLAGS (\\Seen)`);
    expect(cond.at(-1)).toBe('a3 OK [MODIFIED 1] Conditional STORE failed for some messages');
    const found = await c.command('a4', `SEARCH MODSEQ ${modseq}`);
    expect(found[0]).toMatch(/^\* SEARCH (1 2|2 1) \(MODSEQ \d+\)$/);
    const status = await c.command('a5', 'STATUS Drafts (HIGHESTMODSEQ MESSAGES)');
    expect(status[0]).toMatch(/^\* STATUS "Drafts" \(HIGHESTMODSEQ \d+ MESSAGES 0\)$/);
    c.close();
  });

  it('imapflow reads MODSEQ and HIGHESTMODSEQ', async () => {
    const client = imapClient(t.server);
    await client.connect();
    const box = await client.mailboxOpen('INBOX');
    expect(Number(box.highestModseq)).toBeGreaterThan(0);
    const msg = await client.fetchOne('1', { flags: true });
    expect(msg && Number(msg.modseq)).toBeGreaterThan(0);
    await client.logout();
  });
});
