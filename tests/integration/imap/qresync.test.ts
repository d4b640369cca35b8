/**
 * QRESYNC (RFC 7162 §3.2): a client that was away resynchronises in its SELECT, expunges
 * are announced as VANISHED once enabled, and UID FETCH (CHANGEDSINCE m VANISHED).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImapFlow } from 'imapflow';
import { imapClient, rawLoggedIn, setupImap, type ImapTestSetup, type RawImap } from './helpers.js';

let t: ImapTestSetup;
let other: ImapFlow;

beforeAll(async () => {
  t = await setupImap();
  other = imapClient(t.server);
  await other.connect();
  for (let i = 1; i <= 5; i++) await other.append('INBOX', `Subject: thu ${i}\r\n\r\nNoi dung ${i}\r\n`);
});

afterAll(async () => {
  await other?.logout().catch(() => {});
  await t?.env.stop();
});

const login = () => rawLoggedIn(t.server.ports.imap!);
const code = (lines: string[], name: string): string | undefined => lines.map((l) => new RegExp(`\\[${name} ([^\\]]+)\\]`).exec(l)?.[1]).find(Boolean);

async function qresyncSession(): Promise<RawImap> {
  const c = await login();
  expect(await c.command('e', 'ENABLE QRESYNC')).toEqual(['* ENABLED QRESYNC', 'e OK ENABLE completed']);
  return c;
}

describe('QRESYNC (RFC 7162 §3.2)', () => {
  it('is announced, and SELECT (QRESYNC ...) or FETCH ... VANISHED without ENABLE QRESYNC is BAD', async () => {
    const c = await login();
    expect((await c.command('c', 'CAPABILITY'))[0]?.split(' ')).toContain('QRESYNC');
    expect((await c.command('s', 'SELECT INBOX (QRESYNC (1 1))')).at(-1)).toMatch(/^s BAD .*ENABLE QRESYNC/);
    expect((await c.command('s2', 'SELECT INBOX')).at(-1)).toMatch(/^s2 OK/);
    expect((await c.command('f', 'UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)')).at(-1)).toMatch(/^f BAD .*ENABLE QRESYNC/);
    c.close();
  });

  it('a client that was away gets VANISHED (EARLIER) and the changed flags in its SELECT', async () => {
    // the client's last session: it remembers UIDVALIDITY, HIGHESTMODSEQ and UIDs 1:5
    const before = await qresyncSession();
    const sel = await before.command('s', 'SELECT INBOX');
    const uidValidity = code(sel, 'UIDVALIDITY');
    const modseq = Number(code(sel, 'HIGHESTMODSEQ'));
    expect(sel).toContain('* 5 EXISTS');
    await before.command('o', 'LOGOUT');
    before.close();

    // meanwhile, from another client: 2 and 4 expunged, 3 flagged, a new message 6
    await other.mailboxOpen('INBOX');
    await other.messageFlagsAdd('3', ['\\Flagged'], { uid: true });
    await other.messageDelete('2,4', { uid: true });
    await other.append('INBOX', 'Subject: thu 6\r\n\r\nNoi dung 6\r\n');

    const after = await qresyncSession();
    const lines = await after.command('s', `SELECT INBOX (QRESYNC (${uidValidity} ${modseq} 1:5))`);
    expect(lines.at(-1)).toMatch(/^s OK \[READ-WRITE\]/);
    expect(lines).toContain('* 4 EXISTS');
    expect(lines).toContain('* VANISHED (EARLIER) 2,4');
    expect(lines.some((l) => /^\* 2 FETCH \(UID 3 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$/.test(l))).toBe(true);
    // unchanged messages and the unknown new one (6 is not among the known UIDs) get no FETCH
    expect(lines.filter((l) => / FETCH /.test(l))).toHaveLength(1);
    // VANISHED comes before the FETCH responses
    expect(lines.findIndex((l) => l.startsWith('* VANISHED'))).toBeLessThan(lines.findIndex((l) => l.includes(' FETCH ')));

    // without known UIDs every change is reported, the new message included
    const all = await after.command('s2', `EXAMINE INBOX (QRESYNC (${uidValidity} ${modseq}))`);
    expect(all[0]).toBe('* OK [CLOSED] Previous folder is now closed');
    expect(all).toContain('* VANISHED (EARLIER) 2,4');
    expect(all.filter((l) => / FETCH \(UID (3|6) /.test(l))).toHaveLength(2);
    after.close();
  });

  it('a different UIDVALIDITY gets a plain SELECT: no VANISHED, no FETCH', async () => {
    const c = await qresyncSession();
    const lines = await c.command('s', 'SELECT INBOX (QRESYNC (123 1 1:10))');
    expect(lines.at(-1)).toMatch(/^s OK/);
    expect(lines.some((l) => l.startsWith('* VANISHED') || l.includes(' FETCH '))).toBe(false);
    c.close();
  });

  it('once enabled, expunges arrive as VANISHED, from other sessions and from EXPUNGE', async () => {
    const c = await qresyncSession();
    await c.command('s', 'SELECT INBOX');
    await other.mailboxOpen('INBOX');
    await other.messageDelete('1', { uid: true });
    const noop = await c.command('n', 'NOOP');
    expect(noop).toContain('* VANISHED 1');
    expect(noop.some((l) => l.endsWith(' EXPUNGE'))).toBe(false);

    await c.command('st', 'UID STORE 5:6 +FLAGS.SILENT (\\Deleted)');
    const ex = await c.command('x', 'EXPUNGE');
    expect(ex).toEqual(['* VANISHED 5:6', 'x OK EXPUNGE completed']);
    c.close();
  });

  it('UID FETCH (CHANGEDSINCE m VANISHED) answers VANISHED (EARLIER) first, then the changes (§3.2.6)', async () => {
    const c = await qresyncSession();
    const sel = await c.command('s', 'SELECT INBOX');
    const modseq = Number(code(sel, 'HIGHESTMODSEQ'));
    await other.mailboxOpen('INBOX');
    // 7 arrives and goes before this session ever sees it
    const seven = (await other.append('INBOX', 'Subject: thu 7\r\n\r\nNoi dung 7\r\n')) as { uid: number };
    await other.messageFlagsAdd('3', ['\\Seen'], { uid: true });
    await other.messageDelete(String(seven.uid), { uid: true });
    const lines = await c.command('f', `UID FETCH 1:100 (FLAGS) (CHANGEDSINCE ${modseq} VANISHED)`);
    expect(lines[0]).toBe(`* VANISHED (EARLIER) ${seven.uid}`);
    expect(lines.some((l) => /^\* 1 FETCH \(UID 3 FLAGS \(\\Flagged \\Seen\) MODSEQ \(\d+\)\)$/.test(l))).toBe(true);

    // 8 is shown to this session before it goes: not VANISHED (EARLIER), but VANISHED once the FETCH is done
    const eight = (await other.append('INBOX', 'Subject: thu 8\r\n\r\nNoi dung 8\r\n')) as { uid: number };
    expect(await c.command('n', 'NOOP')).toContain('* 2 EXISTS');
    await other.messageDelete(String(eight.uid), { uid: true });
    const again = await c.command('g', `UID FETCH 1:100 (FLAGS) (CHANGEDSINCE ${modseq} VANISHED)`);
    // the other session's change reaches this one through Redis: by the end of the FETCH or at the NOOP after it
    const after = [...again, ...(await c.command('n2', 'NOOP'))];
    expect(after.filter((l) => l.startsWith('* VANISHED'))).toEqual([`* VANISHED (EARLIER) ${seven.uid}`, `* VANISHED ${eight.uid}`]);
    c.close();
  });

  it('imapflow with qresync: true sees an expunge by UID', async () => {
    const flow = imapClient(t.server, { qresync: true });
    await flow.connect();
    expect(flow.enabled.has('QRESYNC')).toBe(true);
    await flow.mailboxOpen('INBOX');
    const seen = new Promise<{ uid?: number; vanished?: boolean }>((resolve) => flow.on('expunge', resolve));
    await other.mailboxOpen('INBOX');
    await other.messageDelete('3', { uid: true });
    await flow.noop();
    expect(await seen).toMatchObject({ uid: 3, vanished: true });
    await flow.logout();
  });
  it('imapflow resynchronises with mailboxOpen({ uidValidity, changedSince }) after changes made while it was away', async () => {
    const away = imapClient(t.server, { qresync: true });
    await away.connect();
    await away.mailboxCreate('Đồng bộ');
    for (let i = 1; i <= 4; i++) await away.append('Đồng bộ', `Subject: dong bo ${i}\r\n\r\nthu ${i}\r\n`);
    const box = await away.mailboxOpen('Đồng bộ');
    const state = { uidValidity: box.uidValidity, changedSince: box.highestModseq };
    await away.logout();

    await other.mailboxOpen('Đồng bộ');
    await other.messageFlagsAdd('2', ['\\Answered'], { uid: true });
    await other.messageDelete('3', { uid: true });

    const back = imapClient(t.server, { qresync: true });
    const expunged: Array<{ uid?: number; vanished?: boolean; earlier?: boolean }> = [];
    const flagged: Array<{ uid?: number; flags?: Set<string> }> = [];
    back.on('expunge', (e) => expunged.push(e));
    back.on('flags', (f) => flagged.push(f));
    await back.connect();
    const reopened = await back.mailboxOpen('Đồng bộ', state);
    expect(reopened.exists).toBe(3);
    expect(expunged).toEqual([expect.objectContaining({ uid: 3, vanished: true, earlier: true })]);
    expect(flagged).toHaveLength(1);
    expect(flagged[0]?.uid).toBe(2);
    expect([...(flagged[0]?.flags ?? [])]).toContain('\\Answered');
    await back.logout();
  });
});
