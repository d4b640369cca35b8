import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, messagesIn, rawMessage } from '../../support/fixtures.js';
import { appendFromClient } from '../../../src/mail/imap-append.js';
import { createMailbox } from '../../../src/mail/mailbox-tree.js';
import { imapClient, PASSWORD, RawImap, rawLoggedIn, sendViaMx, setupImap, type ImapTestSetup } from './helpers.js';

let t: ImapTestSetup;

beforeAll(async () => {
  t = await setupImap();
  await sendViaMx(t.server, 'Giấy mời họp giao ban', 'Kính gửi đồng chí Nguyễn Văn An,\r\nMời dự họp lúc 8 giờ.');
  await eventually(async () => ((await messagesIn(t.server.runtime.db, t.an.id)).length === 1 ? true : undefined), 10_000, 'delivery');
});

afterAll(async () => {
  await t?.env.stop();
});

describe('FETCH (RFC 9051 §6.4.5)', () => {
  it('imapflow fetches a message delivered through the MX: envelope, bodystructure, flags, size, source', async () => {
    const client = imapClient(t.server);
    await client.connect();
    const box = await client.mailboxOpen('INBOX');
    expect(box.exists).toBe(1);
    const msg = await client.fetchOne('1', { uid: true, flags: true, envelope: true, bodyStructure: true, size: true, internalDate: true, source: true });
    expect(msg).toBeTruthy();
    if (!msg) return;
    expect(msg.envelope?.subject).toBe('Giấy mời họp giao ban');
    expect(msg.envelope?.from?.[0]?.address).toBe('sender@sender.test');
    expect(msg.envelope?.from?.[0]?.name).toBe('Nguyễn Thị Lan');
    expect(msg.bodyStructure?.type).toBe('text/plain');
    expect(msg.size).toBe(msg.source?.length);
    expect(msg.source?.toString('utf8')).toContain('Mời dự họp lúc 8 giờ.');
    expect(msg.internalDate).toBeInstanceOf(Date);
    // fetching the source (BODY.PEEK[]) leaves \Seen alone
    const again = await client.fetchOne('1', { flags: true });
    expect(again && again.flags?.has('\\Seen')).toBe(false);
    await client.logout();
  });

  it('BODY[HEADER.FIELDS (SUBJECT)], a partial, BINARY and BODY[] without PEEK, which sets \\Seen', async () => {
    const c = await RawImap.connect(t.server.ports.imap!);
    await c.line();
    await c.command('l', `LOGIN annv@yenbai.gov.vn "${PASSWORD}"`);
    await c.command('s', 'SELECT INBOX');
    const h = await c.command('a1', 'FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    expect(h[0]).toMatch(/^\* 1 FETCH \(BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{\d+\}$/);
    expect(h.join('\n')).toContain('Subject: ');
    const p = await c.command('a2', 'UID FETCH 1:* (BODY.PEEK[]<0.4>)');
    expect(p[0]).toMatch(/^\* 1 FETCH \(UID \d+ BODY\[\]<0> \{4\}$/);
    const b = await c.command('a3', 'FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1])');
    expect(b.at(-1)).toBe('a3 OK FETCH completed');
    const seen = await c.command('a4', 'FETCH 1 (BODY[TEXT])');
    expect(seen.join('\n')).toMatch(/FLAGS \(\\Seen\)/);
    expect((await c.command('a5', 'FETCH 5 FLAGS')).at(-1)).toMatch(/^a5 BAD /);
    c.close();
  });

  it('UID FETCH 1:* (FLAGS ENVELOPE) of 300 messages: every answer, in order, before the tagged OK; a blob not yet described too', async () => {
    const { db, blobs } = t.server.runtime;
    const box = await createMailbox(db, t.an.id, 'Bulk');
    const messages: { blobHash: string; size: number; flags: string[] }[] = [];
    for (let i = 1; i <= 300; i++) {
      const raw = rawMessage({ from: `Sender ${i} <s${i}@sender.test>`, to: ['annv@yenbai.gov.vn'], subject: `Report ${i}`, messageId: `<r${i}@test>` });
      const { hash, size } = await blobs.put([Buffer.from(raw)]);
      messages.push({ blobHash: hash, size, flags: i % 2 ? ['\\Seen'] : [] });
    }
    await appendFromClient(db, blobs, { mailboxId: box.id, quota: null, messages });
    // a blob stored before descriptions existed: FETCH parses it on the way
    await db.query('UPDATE blobs SET parsed = NULL WHERE hash = $1', [messages[149]!.blobHash]);
    const c = await RawImap.connect(t.server.ports.imap!);
    await c.line();
    await c.command('l', `LOGIN annv@yenbai.gov.vn "${PASSWORD}"`);
    await c.command('s', 'SELECT Bulk');
    const lines = await c.command('f', 'UID FETCH 1:* (FLAGS ENVELOPE)');
    expect(lines).toHaveLength(301);
    lines.slice(0, 300).forEach((line, k) => {
      const i = k + 1;
      const start = `* ${i} FETCH (UID ${i} FLAGS (${i % 2 ? '\\Seen' : ''}) ENVELOPE (`;
      expect(line.slice(0, start.length)).toBe(start);
      expect(line).toContain(` "Report ${i}" (("Sender ${i}" NIL "s${i}" "sender.test")) `);
      const end = ` NIL "<r${i}@test>"))`;
      expect(line.slice(-end.length)).toBe(end);
    });
    // more than one 64 KB write
    expect(lines.reduce((n, l) => n + l.length + 2, 0)).toBeGreaterThan(64 * 1024);
    expect(lines[300]).toMatch(/^f OK /);
    // each ENVELOPE is kept as it was sent; the next FETCH sends the kept bytes, the same answer
    await eventually(async () => {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM blobs WHERE hash = ANY ($1) AND imap_envelope IS NOT NULL', [messages.map((m) => m.blobHash)]);
      return rows[0]!.n === 300 ? true : undefined;
    }, 5_000, 'rendered ENVELOPEs kept');
    const { rows: kept } = await db.query<{ imap_envelope: Buffer }>('SELECT imap_envelope FROM blobs WHERE hash = $1', [messages[9]!.blobHash]);
    expect(lines[9]).toContain(`ENVELOPE ${kept[0]!.imap_envelope.toString('latin1')})`);
    expect(await c.command('f2', 'UID FETCH 1:* (FLAGS ENVELOPE)')).toEqual([...lines.slice(0, 300), expect.stringMatching(/^f2 OK /)]);
    c.close();
  });

  it('a FETCH of messages fetched before is answered from the facts the process keeps, with the flags of the view; MODSEQ still reads the store', async () => {
    const { db, blobs } = t.server.runtime;
    const box = await createMailbox(db, t.an.id, 'Facts');
    const messages = [];
    for (let i = 1; i <= 3; i++) {
      const { hash, size } = await blobs.put([Buffer.from(rawMessage({ from: `s${i}@sender.test`, to: ['annv@yenbai.gov.vn'], subject: `Sổ tay ${i}` }))]);
      messages.push({ blobHash: hash, size, flags: [] });
    }
    await appendFromClient(db, blobs, { mailboxId: box.id, quota: null, messages });
    const calls: string[] = [];
    const query = db.query.bind(db);
    db.query = ((...args: Parameters<typeof db.query>) => {
      if (typeof args[0] === 'string' && args[0].includes('mail_fetch')) calls.push(args[0]);
      return query(...args);
    }) as typeof db.query;
    try {
      const a = await rawLoggedIn(t.server.ports.imap!);
      const b = await rawLoggedIn(t.server.ports.imap!);
      await a.command('s', 'SELECT Facts');
      await b.command('s', 'SELECT Facts');
      const items = 'UID FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY.PEEK[])';
      const first = await a.command('f1', items);
      expect(first.filter((l) => l.includes('ENVELOPE'))).toHaveLength(3);
      expect(calls).toHaveLength(1);
      // the other session's FETCH of the same messages needs no read either: the facts are the process's
      const fromB = await b.command('f2', items);
      expect(fromB.slice(0, -1)).toEqual(first.slice(0, -1));
      expect(calls).toHaveLength(1);
      // a change by one session: the other's FETCH answers with its view, and catches up before its tagged OK
      await b.command('st', 'STORE 1 +FLAGS (\\Flagged)');
      const afterChange = await a.command('f3', 'FETCH 1 FLAGS');
      expect(afterChange.at(-1)).toMatch(/^f3 OK /);
      expect(afterChange.at(-2)).toMatch(/^\* 1 FETCH \(FLAGS \(.*\\Flagged.*\)\)$/);
      expect((await a.command('f4', 'FETCH 1 FLAGS'))[0]).toMatch(/^\* 1 FETCH \(FLAGS \(.*\\Flagged.*\)\)$/);
      expect(calls).toHaveLength(1);
      // MODSEQ changes with the flags: read from the store
      expect((await a.command('f5', 'FETCH 1 (MODSEQ)'))[0]).toMatch(/^\* 1 FETCH \(MODSEQ \(\d+\)\)$/);
      expect(calls).toHaveLength(2);
      await b.command('st2', 'STORE 1 -FLAGS (\\Flagged)');
      a.close();
      b.close();
    } finally {
      db.query = query as typeof db.query;
    }
  });
});
