import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { imapClient, PASSWORD, RawImap, setupImap, type ImapTestSetup } from './helpers.js';

let t: ImapTestSetup;

beforeAll(async () => {
  t = await setupImap({ 'smtp.maxMessageBytes': 4 * 1024 * 1024 });
});

afterAll(async () => {
  await t?.env.stop();
});

describe('APPEND (RFC 9051 §6.3.12)', () => {
  it('streams a 3 MiB message into the blob store and reads it back byte for byte', async () => {
    const line = 'Dòng nội dung dài để kiểm tra việc ghi luồng vào kho blob.\r\n';
    const body = line.repeat(Math.ceil((3 * 1024 * 1024) / Buffer.byteLength(line)));
    const raw = `Subject: Tệp lớn\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`;
    const client = imapClient(t.server);
    await client.connect();
    const res = await client.append('INBOX', raw);
    expect(res && res.uid).toBe(1);
    await client.mailboxOpen('INBOX');
    const msg = await client.fetchOne('1', { source: true, size: true });
    expect(msg && msg.size).toBe(Buffer.byteLength(raw));
    expect(msg && msg.source?.equals(Buffer.from(raw))).toBe(true);
    await client.logout();
  });

  it('a small message is written by the APPEND itself, a row in PostgreSQL; a refused one leaves nothing behind', async () => {
    const raw = 'Subject: =?UTF-8?B?R2nhuqV5IG3hu51pIGjhu41w?=\r\nFrom: vanphong@yenbai.gov.vn\r\n\r\nKính gửi các phòng ban.\r\n';
    const hash = createHash('sha256').update(raw).digest('hex');
    const contents = async (h: string) => (await t.server.runtime.db.query<{ bytes: Buffer }>('SELECT bytes FROM blob_contents WHERE hash = $1', [h])).rows;
    const client = imapClient(t.server);
    await client.connect();
    // a folder that does not exist: NO [TRYCREATE], and the held message is dropped, not stored
    await expect(client.append('Khong co', raw)).rejects.toThrow();
    expect(await contents(hash)).toEqual([]);
    const res = await client.append('Drafts', raw);
    expect(res && res.uid).toBeGreaterThan(0);
    expect((await contents(hash))[0]!.bytes.toString()).toBe(raw);
    const lock = await client.getMailboxLock('Drafts');
    try {
      const msg = await client.fetchOne(String(res && res.uid), { source: true }, { uid: true });
      expect(msg && msg.source?.toString()).toBe(raw);
    } finally {
      lock.release();
    }
    await client.logout();
  });

  it('refuses a literal over the size limit with NO [TOOBIG] before it is sent, and one to a missing folder with NO [TRYCREATE]', async () => {
    const c = await RawImap.connect(t.server.ports.imap!);
    await c.line();
    await c.command('l', `LOGIN annv@yenbai.gov.vn "${PASSWORD}"`);
    c.write(`a1 APPEND INBOX {${5 * 1024 * 1024}}\r\n`);
    expect(await c.line()).toMatch(/^a1 NO \[TOOBIG\]/);
    c.write('a2 APPEND "Khong co" {11}\r\n');
    expect(await c.line()).toMatch(/^\+ /);
    c.write('Subject: x\r\n');
    c.write('\r\n');
    expect(await c.line()).toMatch(/^a2 NO \[TRYCREATE\]/);
    expect((await c.command('a3', 'NOOP')).at(-1)).toBe('a3 OK NOOP completed');
    c.close();
  });

  it('COPY to a missing folder answers NO [TRYCREATE]; STORE in an EXAMINEd folder is refused', async () => {
    const c = await RawImap.connect(t.server.ports.imap!);
    await c.line();
    await c.command('l', `LOGIN annv@yenbai.gov.vn "${PASSWORD}"`);
    await c.command('s', 'SELECT INBOX');
    expect((await c.command('a1', 'COPY 1 "Khong co"')).at(-1)).toMatch(/^a1 NO \[TRYCREATE\]/);
    const copied = await c.command('a2', 'UID COPY 1:* Archive');
    expect(copied.at(-1)).toMatch(/^a2 OK \[COPYUID \d+ 1 1\]/);
    await c.command('e', 'EXAMINE INBOX');
    expect((await c.command('a3', 'STORE 1 +FLAGS (\\Seen)')).at(-1)).toMatch(/^a3 NO \[READ-ONLY\]/);
    c.close();
  });
});
