import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import mailauth from 'mailauth';
import { simpleParser } from 'mailparser';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain, eventually, messagesIn } from '../../support/fixtures.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';
import { createResolver } from '../../../src/shared/dns.js';
import type { RunningServer } from '../../../src/cli/server.js';
import type { Account } from '../../../src/identity/accounts.js';

const PASSWORD = 'mat-khau-dai-12345';

let env: TestEnv;
let sink: SmtpSink;
let server: RunningServer;
let an: Account;

const send = (mail: SendMailOptions) =>
  nodemailer
    .createTransport({ host: '127.0.0.1', port: server.ports.submission!, secure: false, tls: { rejectUnauthorized: false }, auth: { user: 'annv@yenbai.gov.vn', pass: PASSWORD } })
    .sendMail({ from: '"Nguyễn Văn An" <annv@yenbai.gov.vn>', ...mail });

beforeAll(async () => {
  sink = await startSmtpSink();
  env = await createTestEnv({
    zones: {
      'bogiaoduc.test': [{ type: 'MX', exchange: 'mx.bogiaoduc.test', priority: 10 }],
      'mx.bogiaoduc.test': [{ type: 'A', address: '127.0.0.1' }],
      'khongton.test': 'servfail',
    },
  });
  // other servers listen on the sink's port: MX delivery goes there
  server = await env.start({ 'delivery.mxPort': sink.port, 'delivery.retryMinutes': [0.01] });
  const { key } = await addTestDomain(server.runtime.db, 'yenbai.gov.vn');
  env.dns.set(key.dnsName, [{ type: 'TXT', text: key.dnsTxt }]);
  env.dns.set('yenbai.gov.vn', [{ type: 'TXT', text: 'v=spf1 ip4:127.0.0.1 -all' }]);
  an = await addTestAccount(server.runtime.db, server.runtime.config, 'annv@yenbai.gov.vn', { password: PASSWORD });
});

afterAll(async () => {
  await env?.stop();
  await sink?.stop();
});

describe('outbound delivery', () => {
  it('delivers to the MX of a remote domain, DKIM-signed with the domain key', async () => {
    await send({ to: 'vanthu@bogiaoduc.test', subject: 'Công văn số 123/UBND-VP', text: 'Kính gửi Bộ Giáo dục.' });
    const received = await eventually(async () => sink.messages.find((m) => m.to.includes('vanthu@bogiaoduc.test')), 10_000, 'remote delivery');
    expect(received.from).toBe('annv@yenbai.gov.vn');
    // STARTTLS was offered, so it was used
    expect(received.secure).toBe(true);
    const resolver = createResolver({ servers: [env.dns.address], timeoutMs: 500 });
    const result = await mailauth.authenticate(received.raw, { ip: '127.0.0.1', helo: 'mx.hopthu.test', sender: received.from, mta: 'test', resolver: resolver.mailauthResolver as never });
    const dkim = result.dkim.results[0]!;
    expect(dkim.status.result).toBe('pass');
    expect(dkim.signingDomain).toBe('yenbai.gov.vn');
    const parsed = await simpleParser(received.raw);
    expect(parsed.subject).toBe('Công văn số 123/UBND-VP');
  });

  it('sends a delivery status notification to the sender when the remote server refuses a recipient', async () => {
    sink.refuse('khongco@bogiaoduc.test', 550, '5.1.1 no such user here');
    await send({ to: 'khongco@bogiaoduc.test', subject: 'Thư sẽ bị trả lại', text: '...' });
    const bounce = await eventually(async () => (await messagesIn(server.runtime.db, an.id)).find((m) => m.subject !== null), 15_000, 'bounce in INBOX');
    const raw = await server.runtime.blobs.read(bounce.blobHash);
    const parsed = await simpleParser(raw);
    expect(parsed.from?.value[0]?.address).toMatch(/^mailer-daemon@/i);
    expect(raw.toString('utf8')).toMatch(/Content-Type: multipart\/report;[\s\S]*report-type="?delivery-status/i);
    expect(raw.toString('utf8')).toMatch(/Final-Recipient: rfc822;\s*khongco@bogiaoduc\.test/i);
    expect(raw.toString('utf8')).toMatch(/Status: 5\.1\.1/);
    expect(raw.toString('utf8')).toMatch(/Action: failed/);
  });

  it('retries a domain whose DNS fails for now and keeps the message queued', async () => {
    await send({ to: 'ai@khongton.test', subject: 'DNS tạm hỏng', text: '...' });
    const row = await eventually(async () => {
      const { rows } = await server.runtime.db.query<{ attempts: number; last_code: string; status: string }>(
        "SELECT attempts, last_code, status FROM spool_recipients WHERE recipient = 'ai@khongton.test' AND attempts >= 2",
      );
      return rows[0];
    }, 15_000, 'two attempts');
    expect(row.status).toBe('pending');
    expect(row.last_code).toBe('4.4.3');
  });
});

describe('outbound through a smarthost', () => {
  let relay: SmtpSink;
  let relayed: TestEnv;
  let viaRelay: RunningServer;

  beforeAll(async () => {
    relay = await startSmtpSink({ auth: { user: 'relayuser', pass: 'relaypass' } });
    relayed = await createTestEnv();
    viaRelay = await relayed.start({ delivery: { smarthost: { host: '127.0.0.1', port: relay.port, user: 'relayuser', password: 'relaypass', tlsVerify: false } } });
    await addTestDomain(viaRelay.runtime.db, 'yenbai.gov.vn');
    await addTestAccount(viaRelay.runtime.db, viaRelay.runtime.config, 'annv@yenbai.gov.vn', { password: PASSWORD });
  });

  afterAll(async () => {
    await relayed?.stop();
    await relay?.stop();
  });

  it('relays every remote recipient through the configured smarthost with AUTH', async () => {
    await nodemailer
      .createTransport({ host: '127.0.0.1', port: viaRelay.ports.submission!, secure: false, tls: { rejectUnauthorized: false }, auth: { user: 'annv@yenbai.gov.vn', pass: PASSWORD } })
      .sendMail({ from: 'annv@yenbai.gov.vn', to: ['a@one.test', 'b@two.test'], subject: 'qua smarthost', text: '...' });
    const got = await eventually(async () => {
      const to = relay.messages.flatMap((m) => m.to).sort();
      return to.length === 2 ? to : undefined;
    }, 10_000, 'relay');
    expect(got).toEqual(['a@one.test', 'b@two.test']);
  });
});
