import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, messagesIn } from '../../support/fixtures.js';
import { imapClient, PASSWORD, RawImap, sendViaMx, setupImap, type ImapTestSetup } from './helpers.js';

let t: ImapTestSetup;

beforeAll(async () => {
  t = await setupImap();
});

afterAll(async () => {
  await t?.env.stop();
});

function waitFor<T>(emitter: { once(event: string, fn: (v: T) => void): unknown }, event: string, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    emitter.once(event, (v: T) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

/** a raw session of annv, logged in */
async function loggedIn(): Promise<RawImap> {
  const c = await RawImap.connect(t.server.ports.imap!);
  await c.line();
  await c.command('l', `LOGIN annv@yenbai.gov.vn "${PASSWORD}"`);
  return c;
}

/** another session (imapflow) that has made folder `name` with `count` small messages, UIDs 1..count */
async function folderWith(name: string, count: number) {
  const other = imapClient(t.server);
  await other.connect();
  await other.mailboxCreate(name);
  for (let n = 1; n <= count; n++) await other.append(name, `Subject: ${name} ${n}\r\n\r\nbody ${n}\r\n`);
  return other;
}

describe('IDLE (RFC 2177) and updates from other sessions (RFC 9051 §7.5.1)', () => {
  it('an idling imapflow client hears * n EXISTS for mail delivered through the MX', async () => {
    const client = imapClient(t.server);
    await client.connect();
    await client.mailboxOpen('INBOX');
    const idling = client.idle();
    const exists = waitFor<{ count: number }>(client as never, 'exists', 10_000);
    await sendViaMx(t.server, 'Thông báo mới');
    expect((await exists).count).toBe(1);
    await client.logout();
    await idling.catch(() => {});
  });

  it('a raw IDLE gets EXISTS, FETCH FLAGS and EXPUNGE caused by another session, then DONE ends it', async () => {
    await eventually(async () => ((await messagesIn(t.server.runtime.db, t.an.id)).length === 1 ? true : undefined), 10_000, 'delivery');
    const c = await RawImap.connect(t.server.ports.imap!);
    await c.line();
    await c.command('l', `LOGIN annv@yenbai.gov.vn "${PASSWORD}"`);
    expect(await c.command('s', 'SELECT INBOX')).toContain('* 1 EXISTS');
    c.write('i IDLE\r\n');
    expect(await c.line()).toBe('+ idling');

    const other = imapClient(t.server);
    await other.connect();
    await other.mailboxOpen('INBOX');
    await other.append('INBOX', 'Subject: thu hai\r\n\r\nnoi dung\r\n');
    expect(await c.line()).toBe('* 2 EXISTS');
    await other.messageFlagsAdd('1', ['\\Deleted']);
    expect(await c.line()).toBe('* 1 FETCH (FLAGS (\\Deleted))');
    await other.messageDelete('1');
    expect(await c.line()).toBe('* 1 EXPUNGE');
    await other.logout();

    c.write('DONE\r\n');
    expect(await c.line()).toBe('i OK IDLE terminated');
    c.close();
  });

  it('without IDLE, changes by another session arrive before the tagged OK of NOOP; FETCH holds back EXPUNGE', async () => {
    const c = await loggedIn();
    expect(await c.command('s', 'SELECT INBOX')).toContain('* 1 EXISTS');
    const other = imapClient(t.server);
    await other.connect();
    await other.mailboxOpen('INBOX');
    await other.messageDelete('1');
    await new Promise((r) => setTimeout(r, 300));
    // RFC 9051 §7.5.1: no EXPUNGE during FETCH; the message keeps its number
    const f = await c.command('f', 'FETCH 1 FLAGS');
    expect(f.some((l) => l.includes('EXPUNGE'))).toBe(false);
    expect(await c.command('n', 'NOOP')).toEqual(['* 1 EXPUNGE', 'n OK NOOP completed']);
    await other.logout();
    c.close();
  });

  it('a held-back EXPUNGE survives later catch-ups (which read only the changes) and goes out at the next NOOP, numbers intact', async () => {
    const other = await folderWith('Catchup', 3);
    const c = await loggedIn();
    expect(await c.command('s', 'SELECT Catchup')).toContain('* 3 EXISTS');
    await other.mailboxOpen('Catchup');
    await other.messageDelete('1:1', { uid: true });
    await new Promise((r) => setTimeout(r, 300));
    expect((await c.command('f1', 'FETCH 1 FLAGS')).some((l) => l.includes('EXPUNGE'))).toBe(false);
    // changes after the held-back expunge: a flag on UID 3 and a new message
    await other.messageFlagsAdd('3:3', ['\\Flagged'], { uid: true });
    await other.append('Catchup', 'Subject: catch-up 4\r\n\r\nbody 4\r\n');
    await new Promise((r) => setTimeout(r, 300));
    const f2 = await c.command('f2', 'FETCH 1 FLAGS');
    expect(f2.some((l) => l.includes('EXPUNGE'))).toBe(false);
    // UID 3 is still message 3 until the EXPUNGE is announced
    expect(f2).toContain('* 3 FETCH (FLAGS (\\Flagged))');
    expect(f2).toContain('* 4 EXISTS');
    expect(await c.command('n', 'NOOP')).toEqual(['* 1 EXPUNGE', 'n OK NOOP completed']);
    const all = await c.command('u', 'UID FETCH 1:* (FLAGS)');
    expect(all.filter((l) => l.startsWith('* '))).toEqual(['* 1 FETCH (UID 2 FLAGS ())', '* 2 FETCH (UID 3 FLAGS (\\Flagged))', '* 3 FETCH (UID 4 FLAGS ())']);
    await other.logout();
    c.close();
  });

  it('SELECT of the folder already selected, after others changed it, answers what a fresh session sees (RFC 9051 §6.3.2)', async () => {
    const other = await folderWith('Reselect', 4);
    const c = await loggedIn();
    await c.command('s1', 'SELECT Reselect');
    await other.mailboxOpen('Reselect');
    await other.messageDelete('2:2', { uid: true });
    await other.messageFlagsAdd('4:4', ['\\Seen', '$Work'], { uid: true });
    await other.append('Reselect', 'Subject: reselect 5\r\n\r\nbody 5\r\n');
    // no NOOP in between: the second SELECT must not lean on notifications having arrived
    const again = await c.command('s2', 'SELECT Reselect');
    const fresh = await loggedIn();
    const first = await fresh.command('s2', 'SELECT Reselect');
    // the old folder's responses end with [CLOSED]; after it, the same answer as the fresh SELECT
    expect(again.filter((l) => !l.includes('[CLOSED]'))).toEqual(first);
    expect(first).toContain('* 4 EXISTS');
    const flags = 'UID FETCH 1:* (FLAGS)';
    expect(await c.command('f', flags)).toEqual(await fresh.command('f', flags));
    await other.logout();
    c.close();
    fresh.close();
  });
});
