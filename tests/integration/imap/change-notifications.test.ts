import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { publishMailboxChange, storeFlags } from '../../../src/mail/index.js';
import { findMailbox } from '../../../src/mail/mailboxes.js';
import { rawLoggedIn, sendViaMx, setupImap, type ImapTestSetup, type RawImap } from './helpers.js';

/**
 * A selected session takes in what another session changed from the change's own
 * notification (flags, new UIDs, expunged UIDs), reading the store only when the MODSEQs
 * it heard of leave a hole. The store reads are counted on the server's own pool.
 */
let t: ImapTestSetup;
let redis: Redis;
let catchUpReads = 0;
let statements = 0;

beforeAll(async () => {
  t = await setupImap();
  redis = t.server.runtime.connectRedis();
  const db = t.server.runtime.db;
  const query = db.query.bind(db) as (...args: unknown[]) => unknown;
  // counts the catch-up read of a folder by id (snapshot.ts mailboxChangesSince), and every statement
  (db as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    statements++;
    if (typeof args[0] === 'string' && args[0].includes('s_expunged') && args[0].includes('mb.id = $1')) catchUpReads++;
    return query(...args);
  };
});

afterAll(async () => {
  redis?.disconnect();
  await t?.env.stop();
});

/** a folder of `count` messages (UIDs 1..count), made by session `c` */
async function folder(c: RawImap, name: string, count: number): Promise<number> {
  await c.command('c', `CREATE ${name}`);
  for (let n = 1; n <= count; n++) {
    const body = `Subject: ${name} ${n}\r\n\r\nnội dung ${n}\r\n`;
    await c.command('a', `APPEND ${name} {${Buffer.byteLength(body)}+}\r\n${body}`);
  }
  return (await findMailbox(t.server.runtime.db, t.an.id, name))!.id;
}

async function idling(name: string): Promise<RawImap> {
  const c = await rawLoggedIn(t.server.ports.imap!);
  expect((await c.command('s', `SELECT ${name}`)).at(-1)).toMatch(/^s OK/);
  c.write('i IDLE\r\n');
  expect(await c.line()).toBe('+ idling');
  return c;
}

describe('selected sessions and change notifications (RFC 9051 §7.5.1, RFC 7162 §3.1)', () => {
  it("takes in another session's STORE, APPEND and EXPUNGE from their notifications, without reading the store", async () => {
    const a = await rawLoggedIn(t.server.ports.imap!);
    await folder(a, 'Nhan', 3);
    const b = await idling('Nhan');
    await a.command('s', 'SELECT Nhan');
    const reads = catchUpReads;

    await a.command('f', 'UID STORE 2 +FLAGS (\\Flagged)');
    expect(await b.line()).toBe('* 2 FETCH (FLAGS (\\Flagged))');
    await a.command('a', 'APPEND Nhan (\\Seen) {16+}\r\nSubject: bon\r\n\r\n');
    expect(await b.line()).toBe('* 4 EXISTS');
    await a.command('d', 'UID STORE 4 +FLAGS.SILENT (\\Deleted)');
    expect(await b.line()).toBe('* 4 FETCH (FLAGS (\\Deleted \\Seen))');
    await a.command('e', 'UID EXPUNGE 4');
    expect(await b.line()).toBe('* 4 EXPUNGE');
    b.write('DONE\r\n');
    expect(await b.line()).toBe('i OK IDLE terminated');
    expect(catchUpReads).toBe(reads);

    // the view is what a fresh SELECT reads from the store
    const fetchAll = 'UID FETCH 1:* (FLAGS)';
    const fresh = await rawLoggedIn(t.server.ports.imap!);
    await fresh.command('s', 'SELECT Nhan');
    expect(await b.command('f', fetchAll)).toEqual(await fresh.command('f', fetchAll));
    // and a SELECT of the same folder again reuses it with what it heard of, reading nothing:
    // UIDNEXT 5 counts UID 4, appended and expunged meanwhile
    const before = statements;
    const again = await b.command('s2', 'SELECT Nhan');
    expect(statements - before).toBe(0);
    expect(again).toContain('* OK [UIDNEXT 5] Predicted next UID');
    const reselected = await fresh.command('s2', 'SELECT Nhan');
    expect(again).toEqual(reselected);
    expect(again[0]).toBe('* OK [CLOSED] Previous folder is now closed');
    expect(catchUpReads).toBe(reads);
    for (const c of [a, b, fresh]) c.close();
  });

  it('reads the store when a MODSEQ was never announced (a lost notification), and announces both changes', async () => {
    const a = await rawLoggedIn(t.server.ports.imap!);
    const id = await folder(a, 'Lo', 3);
    const b = await idling('Lo');
    await a.command('s', 'SELECT Lo');
    const reads = catchUpReads;
    // a change whose notification never goes out
    await storeFlags(t.server.runtime.db, { mailboxId: id, uids: [[1, 1]], action: 'add', flags: ['\\Answered'] });
    await a.command('f', 'UID STORE 3 +FLAGS (\\Flagged)');
    const heard = [await b.line(), await b.line()];
    expect(heard).toEqual(['* 1 FETCH (FLAGS (\\Answered))', '* 3 FETCH (FLAGS (\\Flagged))']);
    // each of the two sessions on the folder (a for its STORE, b in IDLE) read it once
    expect(catchUpReads).toBe(reads + 2);
    b.write('DONE\r\n');
    expect(await b.line()).toBe('i OK IDLE terminated');
    for (const c of [a, b]) c.close();
  });

  it('a SELECT of the same folder again reads the store when a MODSEQ was never announced; one never followed by another waits for NOOP', async () => {
    const a = await rawLoggedIn(t.server.ports.imap!);
    const id = await folder(a, 'Lai', 3);
    const b = await rawLoggedIn(t.server.ports.imap!);
    await b.command('s', 'SELECT Lai');
    // unannounced, then announced: the view has a hole, so the SELECT reads the store
    await storeFlags(t.server.runtime.db, { mailboxId: id, uids: [[1, 1]], action: 'add', flags: ['\\Answered'] });
    await a.command('s', 'SELECT Lai');
    await a.command('f', 'UID STORE 3 +FLAGS (\\Flagged)');
    let before = statements;
    await b.command('s2', 'SELECT Lai');
    expect(statements - before).toBe(1);
    expect(await b.command('f', 'UID FETCH 1:3 (FLAGS)')).toEqual(['* 1 FETCH (UID 1 FLAGS (\\Answered))', '* 2 FETCH (UID 2 FLAGS ())', '* 3 FETCH (UID 3 FLAGS (\\Flagged))', 'f OK UID FETCH completed']);
    // unannounced and nothing after it: nothing tells the view, as nothing tells a session in IDLE; NOOP looks (RFC 9051 §6.1.2)
    await storeFlags(t.server.runtime.db, { mailboxId: id, uids: [[2, 2]], action: 'add', flags: ['\\Seen'] });
    before = statements;
    await b.command('s3', 'SELECT Lai');
    expect(statements - before).toBe(0);
    expect(await b.command('n', 'NOOP')).toEqual(['* 2 FETCH (FLAGS (\\Seen))', 'n OK NOOP completed']);
    for (const c of [a, b]) c.close();
  });

  it("never brings back flags older than those the session's own STORE answered with (RFC 7162 §3.1: MODSEQs only go up)", async () => {
    const a = await rawLoggedIn(t.server.ports.imap!);
    const id = await folder(a, 'Thu-tu', 2);
    const b = await rawLoggedIn(t.server.ports.imap!);
    await b.command('e', 'ENABLE CONDSTORE');
    await b.command('s', 'SELECT Thu-tu');
    // a third session idles on the folder: once it has heard a change, so has b (one subscriber per process)
    const witness = await idling('Thu-tu');
    // a change at MODSEQ m that b hears of, then one at m + 1 whose notification is still on its way
    const older = await storeFlags(t.server.runtime.db, { mailboxId: id, uids: [[1, 1]], action: 'add', flags: ['\\Answered'] });
    await publishMailboxChange(redis, t.server.runtime.config.redisPrefix, older.changes[0]!);
    expect(await witness.line()).toBe('* 1 FETCH (FLAGS (\\Answered))');
    const newer = await storeFlags(t.server.runtime.db, { mailboxId: id, uids: [[1, 1]], action: 'add', flags: ['\\Seen'] });
    // b's STORE changes nothing (the message is \Seen already) and answers with the flags as of m + 1;
    // the change at m, applied after it, must not announce \Answered alone
    expect(await b.command('f', 'UID STORE 1 +FLAGS (\\Seen)')).toEqual([
      `* 1 FETCH (UID 1 FLAGS (\\Answered \\Seen) MODSEQ (${newer.modseq}))`,
      'f OK UID STORE completed',
    ]);
    await publishMailboxChange(redis, t.server.runtime.config.redisPrefix, newer.changes[0]!);
    expect(await witness.line()).toBe('* 1 FETCH (FLAGS (\\Answered \\Seen))');
    expect((await b.command('n', 'UID FETCH 1:* (FLAGS)')).filter((l) => l.startsWith('* '))).toEqual(['* 1 FETCH (UID 1 FLAGS (\\Answered \\Seen))', '* 2 FETCH (UID 2 FLAGS ())']);
    witness.write('DONE\r\n');
    for (const c of [a, b, witness]) c.close();
  });

  it('a MOVE within one folder, one change at one MODSEQ, reaches an idling session as EXPUNGE and EXISTS (RFC 6851 §3.3)', async () => {
    const a = await rawLoggedIn(t.server.ports.imap!);
    await folder(a, 'Tai-cho', 2);
    const b = await idling('Tai-cho');
    await a.command('s', 'SELECT Tai-cho');
    expect((await a.command('m', 'UID MOVE 1 Tai-cho')).at(-1)).toMatch(/^m OK/);
    expect([await b.line(), await b.line()]).toEqual(['* 1 EXPUNGE', '* 2 EXISTS']);
    b.write('DONE\r\n');
    expect(await b.line()).toBe('i OK IDLE terminated');
    expect((await b.command('f', 'UID FETCH 1:* (UID)')).filter((l) => l.startsWith('* '))).toEqual(['* 1 FETCH (UID 2)', '* 2 FETCH (UID 3)']);
    for (const c of [a, b]) c.close();
  });

  it('a session that sends nothing while hundreds of changes go by keeps none of them and reads the store once at its next command', async () => {
    const a = await rawLoggedIn(t.server.ports.imap!);
    await folder(a, 'Nhieu', 2);
    const b = await rawLoggedIn(t.server.ports.imap!);
    await b.command('s', 'SELECT Nhieu');
    await a.command('s', 'SELECT Nhieu');
    // 300 changes (more than a view queues), the last one the flags of message 2
    for (let n = 0; n < 150; n++) {
      await a.command('p', 'UID STORE 1 +FLAGS (\\Flagged)');
      await a.command('m', 'UID STORE 1 -FLAGS (\\Flagged)');
    }
    await a.command('l', 'UID STORE 2 +FLAGS (\\Answered)');
    // a witness: once the last change reached this process, it reached b's view too
    const witness = await idling('Nhieu');
    await a.command('w', 'UID STORE 2 +FLAGS (\\Seen)');
    expect(await witness.line()).toBe('* 2 FETCH (FLAGS (\\Answered \\Seen))');
    const reads = catchUpReads;
    expect((await b.command('n', 'UID SEARCH ALL')).filter((l) => l.includes('FETCH'))).toEqual(['* 2 FETCH (UID 2 FLAGS (\\Answered \\Seen))']);
    expect(catchUpReads).toBe(reads + 1);
    witness.write('DONE\r\n');
    for (const c of [a, b, witness]) c.close();
  });

  it('hears of mail delivered over SMTP from the delivery notification, without reading the store', async () => {
    const b = await rawLoggedIn(t.server.ports.imap!);
    const selected = await b.command('s', 'SELECT INBOX');
    const exists = Number(/^\* (\d+) EXISTS$/.exec(selected.find((l) => / EXISTS$/.test(l))!)![1]);
    const reads = catchUpReads;
    b.write('i2 IDLE\r\n');
    expect(await b.line()).toBe('+ idling');
    await sendViaMx(t.server, 'Công văn số 12');
    expect(await b.line()).toBe(`* ${exists + 1} EXISTS`);
    b.write('DONE\r\n');
    expect(await b.line()).toBe('i2 OK IDLE terminated');
    expect((await b.command('f', `FETCH ${exists + 1} (FLAGS)`))[0]).toBe(`* ${exists + 1} FETCH (FLAGS ())`);
    expect(catchUpReads).toBe(reads);
  });

  it('a SELECT of the folder a session shows, by a name that now names another folder (renamed, made anew), opens that one', async () => {
    const a = await rawLoggedIn(t.server.ports.imap!);
    await folder(a, 'Cu', 2);
    const b = await rawLoggedIn(t.server.ports.imap!);
    await b.command('s', 'SELECT Cu');
    await a.command('r', 'RENAME Cu Moi');
    await a.command('c', 'CREATE Cu');
    const again = await b.command('s2', 'SELECT Cu');
    expect(again).toContain('* 0 EXISTS');
    expect(again.at(-1)).toMatch(/^s2 OK \[READ-WRITE\]/);
    await a.command('d', 'DELETE Cu');
    expect((await b.command('s3', 'SELECT Cu')).at(-1)).toMatch(/^s3 NO \[NONEXISTENT\]/);
    expect((await b.command('s4', 'SELECT Moi')).filter((l) => / EXISTS$/.test(l))).toEqual(['* 2 EXISTS']);
    for (const c of [a, b]) c.close();
  });
});
