import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestAlias, addTestDomain, eventually, messagesIn, rawMessage } from '../../support/fixtures.js';
import type { RunningServer } from '../../../src/cli/server.js';
import type { Account } from '../../../src/identity/accounts.js';

const execFileAsync = promisify(execFile);

let env: TestEnv;
let server: RunningServer;
let an: Account;
let ha: Account;
let binh: Account;

const mx = () =>
  nodemailer.createTransport({ host: '127.0.0.1', port: server.ports.mx!, secure: false, tls: { rejectUnauthorized: false }, name: 'mail.sender.test' });

async function refusal(send: Promise<unknown>): Promise<{ code: number; response: string }> {
  const err = (await send.then(() => undefined, (e: unknown) => e)) as { responseCode?: number; response?: string } | undefined;
  expect(err, 'the server should have refused').toBeDefined();
  return { code: err!.responseCode!, response: err!.response! };
}

beforeAll(async () => {
  env = await createTestEnv({
    zones: {
      'sender.test': [{ type: 'TXT', text: 'v=spf1 ip4:127.0.0.1 -all' }],
      'spoofed.test': [{ type: 'TXT', text: 'v=spf1 ip4:192.0.2.1 -all' }],
      '_dmarc.spoofed.test': [{ type: 'TXT', text: 'v=DMARC1; p=reject' }],
    },
  });
  server = await env.start({ 'smtp.maxMessageBytes': 64 * 1024 });
  const db = server.runtime.db;
  await addTestDomain(db, 'yenbai.gov.vn');
  an = await addTestAccount(db, server.runtime.config, 'annv@yenbai.gov.vn', { name: 'Nguyễn Văn An' });
  ha = await addTestAccount(db, server.runtime.config, 'hadtt@yenbai.gov.vn', { name: 'Đặng Thị Thu Hà' });
  binh = await addTestAccount(db, server.runtime.config, 'binhlv@yenbai.gov.vn');
  await addTestAlias(db, 'vanphong@yenbai.gov.vn', ['annv@yenbai.gov.vn', 'hadtt@yenbai.gov.vn']);
});

afterAll(async () => {
  await env?.stop();
});

describe('MX listener', () => {
  it('accepts mail for a local account and delivers it to INBOX with trace and authentication headers', async () => {
    const info = await mx().sendMail({
      envelope: { from: 'sender@sender.test', to: ['annv@yenbai.gov.vn'] },
      raw: rawMessage({ from: 'Sender <sender@sender.test>', to: ['annv@yenbai.gov.vn'], subject: 'Giấy mời họp' }),
    });
    expect(info.response).toMatch(/^250 2\.0\.0 accepted, queued as \d+/);
    const [msg] = await eventually(async () => {
      const m = await messagesIn(server.runtime.db, an.id);
      return m.length ? m : undefined;
    }, 10_000, 'delivery to INBOX');
    expect(msg!.subject).toBe('Giấy mời họp');
    const stored = (await server.runtime.blobs.read(msg!.blobHash)).toString('utf8');
    expect(stored.startsWith('Received: from mail.sender.test ([127.0.0.1])')).toBe(true);
    expect(stored).toMatch(/Authentication-Results: mx\.hopthu\.test;[\s\S]*spf=pass/);
    expect(stored).toContain('Đây là thư thử nghiệm.');
  });

  it('refuses an unknown local recipient at RCPT with 550 5.1.1', async () => {
    const r = await refusal(mx().sendMail({ envelope: { from: 'sender@sender.test', to: ['khongco@yenbai.gov.vn'] }, raw: rawMessage({ from: 'sender@sender.test', to: ['x'], subject: 'x' }) }));
    expect(r.code).toBe(550);
    expect(r.response).toMatch(/^550 5\.1\.1 there is no mailbox <khongco@yenbai\.gov\.vn> here/);
  });

  it('is not an open relay: a recipient in another domain gets 550 5.7.1', async () => {
    const r = await refusal(mx().sendMail({ envelope: { from: 'sender@sender.test', to: ['someone@example.org'] }, raw: rawMessage({ from: 'sender@sender.test', to: ['x'], subject: 'x' }) }));
    expect(r.code).toBe(550);
    expect(r.response).toMatch(/^550 5\.7\.1 relaying denied/);
  });

  it('refuses a message over the announced SIZE with 552 5.3.4', async () => {
    const body = 'x'.repeat(76) + '\r\n';
    const r = await refusal(mx().sendMail({
      envelope: { from: 'sender@sender.test', to: ['annv@yenbai.gov.vn'] },
      raw: rawMessage({ from: 'sender@sender.test', to: ['annv@yenbai.gov.vn'], subject: 'big', body: body.repeat(1200) }),
    }));
    expect(r.code).toBe(552);
    expect(r.response).toMatch(/^552 5\.3\.4/);
  });

  it('stores one blob for a message to three local recipients (one through an alias)', async () => {
    const subject = `Thông báo chung ${Date.now()}`;
    await mx().sendMail({
      envelope: { from: 'sender@sender.test', to: ['annv@yenbai.gov.vn', 'binhlv@yenbai.gov.vn', 'vanphong@yenbai.gov.vn'] },
      raw: rawMessage({ from: 'sender@sender.test', to: ['annv@yenbai.gov.vn'], subject }),
    });
    const copies = await eventually(async () => {
      const all = [...(await messagesIn(server.runtime.db, an.id)), ...(await messagesIn(server.runtime.db, ha.id)), ...(await messagesIn(server.runtime.db, binh.id))];
      const found = all.filter((m) => m.subject === subject);
      return found.length === 3 ? found : undefined;
    }, 10_000, 'three deliveries');
    // annv is reached directly and through the alias, and gets one copy
    expect(new Set(copies.map((c) => c.blobHash)).size).toBe(1);
    // three mailbox references once the spool row has let go of its own
    const refcount = await eventually(async () => {
      const { rows } = await server.runtime.db.query<{ refcount: number }>('SELECT refcount FROM blobs WHERE hash = $1', [copies[0]!.blobHash]);
      return rows[0]!.refcount === 3 ? 3 : undefined;
    }, 10_000, 'the spool row to release the blob');
    expect(refcount).toBe(3);
  });

  it('refuses a message that fails DMARC under p=reject with 550 5.7.1', async () => {
    const r = await refusal(mx().sendMail({
      envelope: { from: 'ceo@spoofed.test', to: ['annv@yenbai.gov.vn'] },
      raw: rawMessage({ from: 'ceo@spoofed.test', to: ['annv@yenbai.gov.vn'], subject: 'chuyển tiền gấp' }),
    }));
    expect(r.code).toBe(550);
    expect(r.response).toMatch(/^550 5\.7\.1 .*DMARC/i);
  });

  it('removes an Authentication-Results header forged with our name (RFC 8601 §5)', async () => {
    await mx().sendMail({
      envelope: { from: 'sender@sender.test', to: ['binhlv@yenbai.gov.vn'] },
      raw: rawMessage({ from: 'sender@sender.test', to: ['binhlv@yenbai.gov.vn'], subject: 'forged results', extraHeaders: 'Authentication-Results: mx.hopthu.test; dmarc=pass header.from=yenbai.gov.vn' }),
    });
    const msg = await eventually(async () => (await messagesIn(server.runtime.db, binh.id)).find((m) => m.subject === 'forged results'), 10_000, 'delivery');
    const stored = (await server.runtime.blobs.read(msg.blobHash)).toString('utf8');
    expect(stored).not.toContain('dmarc=pass header.from=yenbai.gov.vn');
    expect(stored.match(/^Authentication-Results:/gm)).toHaveLength(1);
    expect(stored).toContain('Subject: forged results');
  });

  it('takes SMTPUTF8 mail with a Vietnamese display name and UTF-8 headers', async () => {
    const info = await mx().sendMail({
      envelope: { from: 'sender@sender.test', to: ['hadtt@yenbai.gov.vn'] },
      raw: rawMessage({ from: '"Trần Văn Bình" <sender@sender.test>', to: ['hadtt@yenbai.gov.vn'], subject: 'Kế hoạch năm 2027' }),
    });
    expect(info.response).toMatch(/^250 /);
    const msg = await eventually(async () => (await messagesIn(server.runtime.db, ha.id)).find((m) => m.subject === 'Kế hoạch năm 2027'), 10_000, 'delivery');
    expect(msg.size).toBeGreaterThan(0);
  });

  it('accepts mail sent with swaks', async () => {
    await execFileAsync('swaks', [
      '--server', `127.0.0.1:${server.ports.mx}`, '--from', 'sender@sender.test', '--to', 'hadtt@yenbai.gov.vn',
      '--helo', 'mail.sender.test', '--header', 'Subject: swaks test', '--body', 'Xin chào', '--silent', '1',
    ]);
    await eventually(async () => ((await messagesIn(server.runtime.db, ha.id)).some((m) => m.subject === 'swaks test') ? true : undefined), 10_000, 'swaks delivery');
  });
});
