import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestAlias, addTestDomain, eventually, messagesIn, rawMessage } from '../../support/fixtures.js';
import type { RunningServer } from '../../../src/cli/server.js';
import type { Account } from '../../../src/identity/accounts.js';
import { renameMailbox } from '../../../src/mail/index.js';

const execFileAsync = promisify(execFile);
const PASSWORD = 'mat-khau-dai-12345';

let env: TestEnv;
let server: RunningServer;
let an: Account;
let ha: Account;

function submission(opts: { user?: string; pass?: string; port?: 'submission' | 'submissions'; ignoreTLS?: boolean } = {}) {
  const port = opts.port ?? 'submission';
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port: server.ports[port]!,
    secure: port === 'submissions',
    ignoreTLS: opts.ignoreTLS ?? false,
    tls: { rejectUnauthorized: false },
    auth: { user: opts.user ?? 'annv@yenbai.gov.vn', pass: opts.pass ?? PASSWORD },
  });
}

async function refusal(send: Promise<unknown>): Promise<{ code: number; response: string }> {
  const err = (await send.then(() => undefined, (e: unknown) => e)) as { responseCode?: number; response?: string } | undefined;
  expect(err, 'the server should have refused').toBeDefined();
  return { code: err!.responseCode!, response: err!.response! };
}

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start();
  const db = server.runtime.db;
  await addTestDomain(db, 'yenbai.gov.vn');
  an = await addTestAccount(db, server.runtime.config, 'annv@yenbai.gov.vn', { name: 'Nguyễn Văn An', password: PASSWORD });
  ha = await addTestAccount(db, server.runtime.config, 'hadtt@yenbai.gov.vn', { password: PASSWORD });
  await addTestAlias(db, 'vanphong@yenbai.gov.vn', ['annv@yenbai.gov.vn']);
});

afterAll(async () => {
  await env?.stop();
});

describe('submission (587, STARTTLS + AUTH)', () => {
  it('delivers to a colleague and keeps a copy, marked seen, in the sender\'s Sent folder', async () => {
    const info = await submission().sendMail({ from: '"Nguyễn Văn An" <annv@yenbai.gov.vn>', to: 'hadtt@yenbai.gov.vn', subject: 'Báo cáo tuần', text: 'Gửi chị Hà báo cáo tuần.' });
    expect(info.accepted).toEqual(['hadtt@yenbai.gov.vn']);
    await eventually(async () => ((await messagesIn(server.runtime.db, ha.id)).some((m) => m.subject === 'Báo cáo tuần') ? true : undefined), 10_000, 'delivery');
    const sent = await eventually(async () => (await messagesIn(server.runtime.db, an.id, 'Sent')).find((m) => m.subject === 'Báo cáo tuần'), 10_000, 'Sent copy');
    expect(sent.flags).toContain('\\Seen');
  });

  it('keeps the Sent copy in the folder marked \\Sent after the user renamed it', async () => {
    const { changes } = await renameMailbox(server.runtime.db, an.id, 'Sent', 'Đã gửi');
    expect(changes.length).toBeGreaterThanOrEqual(0);
    await submission().sendMail({ from: 'annv@yenbai.gov.vn', to: 'hadtt@yenbai.gov.vn', subject: 'Sau khi đổi tên', text: 'x' });
    const copy = await eventually(async () => (await messagesIn(server.runtime.db, an.id, 'Đã gửi')).find((m) => m.subject === 'Sau khi đổi tên'), 10_000, 'Sent copy');
    expect(copy.flags).toContain('\\Seen');
    expect(await messagesIn(server.runtime.db, an.id, 'Sent')).toEqual([]);
  });

  it('lets a user send as an alias that delivers to them', async () => {
    const info = await submission().sendMail({ from: 'vanphong@yenbai.gov.vn', to: 'hadtt@yenbai.gov.vn', subject: 'Từ văn phòng', text: '...' });
    expect(info.accepted).toEqual(['hadtt@yenbai.gov.vn']);
  });

  it('refuses AUTH before STARTTLS', async () => {
    const r = await refusal(submission({ ignoreTLS: true }).sendMail({ from: 'annv@yenbai.gov.vn', to: 'hadtt@yenbai.gov.vn', subject: 'x', text: 'x' }));
    expect(r.code).toBe(538);
    expect(r.response).toMatch(/^538 5\.7\.\d+/);
  });

  it('refuses a wrong password with 535 5.7.8', async () => {
    const r = await refusal(submission({ pass: 'sai-mat-khau' }).sendMail({ from: 'annv@yenbai.gov.vn', to: 'hadtt@yenbai.gov.vn', subject: 'x', text: 'x' }));
    expect(r.code).toBe(535);
    expect(r.response).toMatch(/^535 5\.7\.8 the username or password is not correct/);
    const { rows } = await server.runtime.db.query("SELECT * FROM audit_events WHERE action = 'auth.smtp.failure' AND target = 'annv@yenbai.gov.vn'");
    expect(rows.length).toBeGreaterThan(0);
  });

  it('refuses an envelope sender the user does not own with 553 5.7.1', async () => {
    const r = await refusal(submission().sendMail({ envelope: { from: 'hadtt@yenbai.gov.vn', to: ['hadtt@yenbai.gov.vn'] }, raw: rawMessage({ from: 'annv@yenbai.gov.vn', to: ['hadtt@yenbai.gov.vn'], subject: 'x' }) }));
    expect(r.code).toBe(553);
    expect(r.response).toMatch(/^553 5\.7\.1 annv@yenbai\.gov\.vn may not send as <hadtt@yenbai\.gov\.vn>/);
  });

  it('refuses a From header the user does not own with 550 5.7.1', async () => {
    const r = await refusal(submission().sendMail({ envelope: { from: 'annv@yenbai.gov.vn', to: ['hadtt@yenbai.gov.vn'] }, raw: rawMessage({ from: 'Giám đốc <giamdoc@yenbai.gov.vn>', to: ['hadtt@yenbai.gov.vn'], subject: 'x' }) }));
    expect(r.code).toBe(550);
    expect(r.response).toMatch(/^550 5\.7\.1 annv@yenbai\.gov\.vn may not send as giamdoc@yenbai\.gov\.vn/);
  });

  it('requires AUTH: MAIL FROM without it gets 530 5.7.0', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: server.ports.submission!, secure: false, tls: { rejectUnauthorized: false } });
    const r = await refusal(transport.sendMail({ from: 'annv@yenbai.gov.vn', to: 'hadtt@yenbai.gov.vn', subject: 'x', text: 'x' }));
    expect(r.code).toBe(530);
  });

  it('accepts implicit TLS on the submissions port (465)', async () => {
    const info = await submission({ port: 'submissions' }).sendMail({ from: 'annv@yenbai.gov.vn', to: 'hadtt@yenbai.gov.vn', subject: 'qua cổng 465', text: 'x' });
    expect(info.accepted).toEqual(['hadtt@yenbai.gov.vn']);
  });

  it('accepts mail from swaks with STARTTLS and AUTH LOGIN', async () => {
    await execFileAsync('swaks', [
      '--server', `127.0.0.1:${server.ports.submission}`, '--tls', '--auth', 'LOGIN', '--auth-user', 'annv@yenbai.gov.vn', '--auth-password', PASSWORD,
      '--from', 'annv@yenbai.gov.vn', '--to', 'hadtt@yenbai.gov.vn', '--header', 'Subject: swaks submission', '--body', 'Xin chào', '--silent', '1',
    ]);
    await eventually(async () => ((await messagesIn(server.runtime.db, ha.id)).some((m) => m.subject === 'swaks submission') ? true : undefined), 10_000, 'swaks delivery');
  });
});
