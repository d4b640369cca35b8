import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain, eventually } from '../../support/fixtures.js';
import { runCli } from '../../support/cli.js';
import { traceMessage } from '../../../src/delivery/trace.js';
import type { RunningServer } from '../../../src/cli/server.js';

let env: TestEnv;
let server: RunningServer;

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({}, ['smtp', 'worker']);
  await addTestDomain(server.runtime.db, 'yenbai.gov.vn');
  await addTestAccount(server.runtime.db, server.runtime.config, 'annv@yenbai.gov.vn', { password: 'mat-khau-that-dai-2026' });
  await addTestAccount(server.runtime.db, server.runtime.config, 'hadtt@yenbai.gov.vn');
});
afterAll(async () => {
  await env?.stop();
});

describe('hopthu trace', () => {
  it('follows a message from acceptance to each recipient and mailbox', { timeout: 120_000 }, async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: server.ports.submission!, tls: { rejectUnauthorized: false }, auth: { user: 'annv@yenbai.gov.vn', pass: 'mat-khau-that-dai-2026' } });
    // one local recipient, one on a domain that has no mail server (the resolver knows no such name)
    await transport.sendMail({ from: 'annv@yenbai.gov.vn', to: ['hadtt@yenbai.gov.vn', 'ai-do@khong-ton-tai.test'], subject: 'Báo cáo', text: 'x', messageId: '<bao-cao-7@yenbai.gov.vn>' });
    transport.close();
    const trace = await eventually(async () => {
      const t = await traceMessage(server.runtime.db, 'bao-cao-7@yenbai.gov.vn');
      const remote = t.accepted[0]?.recipients.find((r) => r.route === 'remote');
      return t.copies.length === 2 && remote && remote.attempts > 0 ? t : undefined;
    }, 60_000, 'delivery and a remote attempt');
    expect(trace.messageId).toBe('<bao-cao-7@yenbai.gov.vn>');
    expect(trace.accepted).toHaveLength(1);
    expect(trace.accepted[0]).toMatchObject({ source: 'submission', mailFrom: 'annv@yenbai.gov.vn', clientIp: '127.0.0.1' });
    const byRoute = Object.fromEntries(trace.accepted[0]!.recipients.map((r) => [`${r.route} ${r.recipient}`, r]));
    expect(byRoute['local hadtt@yenbai.gov.vn']).toMatchObject({ status: 'delivered' });
    expect(byRoute['sent-copy annv@yenbai.gov.vn']).toMatchObject({ status: 'delivered' });
    expect(byRoute['remote ai-do@khong-ton-tai.test']!.lastCode).toMatch(/^[45]\./);
    expect(trace.copies.map((c) => `${c.account} ${c.folder}`)).toEqual(['annv@yenbai.gov.vn Sent', 'hadtt@yenbai.gov.vn INBOX']);

    const env2 = { DATABASE_URL: env.databaseUrl, HOPTHU_DATA_DIR: path.join(env.dir, 'data') };
    const cli = await runCli(['trace', '<bao-cao-7@yenbai.gov.vn>'], env2);
    expect(cli.stdout).toMatch(/accepted as \d+ \(submission\) from <annv@yenbai\.gov\.vn> at 127\.0\.0\.1/);
    expect(cli.stdout).toMatch(/local\s+hadtt@yenbai\.gov\.vn: delivered/);
    expect(cli.stdout).toMatch(/hadtt@yenbai\.gov\.vn INBOX UID 1/);
    const none = await runCli(['trace', 'khong-co@yenbai.gov.vn'], env2);
    expect(none.code).toBe(1);
    expect(none.stdout).toBe('no message <khong-co@yenbai.gov.vn> here\n');
  });
});
