import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { simpleParser } from 'mailparser';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestAlias, addTestDomain, eventually, messagesIn, rawMessage } from '../../support/fixtures.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';
import { setVacation } from '../../../src/identity/preferences.js';
import { addGroup, addGroupMembers } from '../../../src/identity/groups.js';
import { processSpool } from '../../../src/delivery/process-spool.js';
import { dayIn } from '../../../src/delivery/vacation.js';
import { serverTimeZone } from '../../../src/mail/search.js';
import type { RunningServer } from '../../../src/cli/server.js';
import type { Account } from '../../../src/identity/accounts.js';

const PASSWORD = 'nghi-phep-mua-dong-2026';
const BODY = 'Tôi đang nghỉ phép đến hết ngày 5/12.\nViệc gấp xin liên hệ đồng chí Trần Thị Bình, số máy lẻ 204.';
const BY = { actor: 'annv@yenbai.gov.vn', source: '127.0.0.1' };

let env: TestEnv;
let sink: SmtpSink;
let server: RunningServer;
let an: Account;
let binh: Account;

/** A message in over the MX (nodemailer), as another organisation's server sends it; resolves when it is in An's INBOX. */
async function sendIn(opts: { from: string; envelopeFrom?: string; to?: string[]; rcpt?: string[]; subject: string; extra?: string }): Promise<string> {
  const messageId = `<${Math.random().toString(36).slice(2)}@bogiaoduc.test>`;
  const to = opts.to ?? ['annv@yenbai.gov.vn'];
  await nodemailer
    .createTransport({ host: '127.0.0.1', port: server.ports.mx!, tls: { rejectUnauthorized: false } })
    .sendMail({
      envelope: { from: opts.envelopeFrom ?? opts.from, to: opts.rcpt ?? to },
      raw: rawMessage({ from: opts.from, to, subject: opts.subject, messageId, ...(opts.extra ? { extraHeaders: opts.extra } : {}) }),
    });
  await eventually(async () => ((await messagesIn(server.runtime.db, an.id)).some((m) => m.subject === opts.subject) ? true : undefined), 10_000, `"${opts.subject}" in the INBOX`);
  return messageId;
}

/** Vacation replies spooled to this address (the reply is spooled in the transaction that delivers, so this is final once the message is in). */
async function repliesSpooledTo(address: string): Promise<number> {
  const { rows } = await server.runtime.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM spool s JOIN spool_recipients r ON r.spool_id = s.id
      WHERE s.source = 'local' AND s.mail_from = '' AND r.recipient = $1`,
    [address],
  );
  return rows[0]!.n;
}

const repliesReceivedBy = (address: string) => sink.messages.filter((m) => m.to.includes(address));

const day = (offsetDays: number) => dayIn(serverTimeZone(), new Date(Date.now() + offsetDays * 86_400_000));

beforeAll(async () => {
  sink = await startSmtpSink();
  env = await createTestEnv({
    zones: {
      'bogiaoduc.test': [{ type: 'MX', exchange: 'mx.bogiaoduc.test', priority: 10 }],
      'mx.bogiaoduc.test': [{ type: 'A', address: '127.0.0.1' }],
      // a domain whose SPF says no server may send for it: mail "from" it here is forged
      'giamao.test': [{ type: 'TXT', text: 'v=spf1 -all' }],
    },
  });
  server = await env.start({ 'delivery.mxPort': sink.port });
  const { key } = await addTestDomain(server.runtime.db, 'yenbai.gov.vn');
  env.dns.set(key.dnsName, [{ type: 'TXT', text: key.dnsTxt }]);
  an = await addTestAccount(server.runtime.db, server.runtime.config, 'annv@yenbai.gov.vn', { name: 'Nguyễn Văn An', password: PASSWORD });
  binh = await addTestAccount(server.runtime.db, server.runtime.config, 'binhtt@yenbai.gov.vn', { name: 'Trần Thị Bình', password: PASSWORD });
  await addTestAlias(server.runtime.db, 'an@yenbai.gov.vn', ['annv@yenbai.gov.vn']);
  const group = await addGroup(server.runtime.db, { address: 'vanphong@yenbai.gov.vn', postRule: 'anyone' });
  await addGroupMembers(server.runtime.db, group, [an, binh]);
  await setVacation(server.runtime.db, an.id, { enabled: true, body: BODY }, BY);
});

afterAll(async () => {
  await env?.stop();
  await sink?.stop();
});

describe('vacation auto-reply', () => {
  let firstSpoolId: number;

  it('an external sender gets one reply: to the envelope sender, from the account, null reverse-path, Auto-Submitted, threaded, DKIM-signed, Vietnamese intact', async () => {
    const messageId = await sendIn({ from: '"Phòng Văn thư" <vanthu@bogiaoduc.test>', subject: 'Công văn số 45/BGD-VP về lịch họp', extra: 'Reply-To: hopthuchung@bogiaoduc.test' });
    const [reply] = await eventually(async () => (repliesReceivedBy('vanthu@bogiaoduc.test').length ? repliesReceivedBy('vanthu@bogiaoduc.test') : undefined), 10_000, 'the reply at the remote server');
    // RFC 3834 §3.3, RFC 5230 §5.1: MAIL FROM:<>
    expect(reply!.from).toBe('');
    // RFC 3834 §4: the return path, not Reply-To
    expect(reply!.to).toEqual(['vanthu@bogiaoduc.test']);
    const mail = await simpleParser(reply!.raw);
    expect(mail.from?.value[0]).toEqual({ address: 'annv@yenbai.gov.vn', name: 'Nguyễn Văn An' });
    expect(mail.subject).toBe('Auto: Công văn số 45/BGD-VP về lịch họp');
    expect(mail.headers.get('auto-submitted')).toBe('auto-replied');
    expect(mail.inReplyTo).toBe(messageId);
    expect(mail.text?.trimEnd()).toBe(BODY);
    expect(reply!.raw.toString('latin1')).toMatch(/^DKIM-Signature:[^]*\bd=yenbai\.gov\.vn;/m);
    const { rows } = await server.runtime.db.query<{ id: number }>("SELECT spool_id AS id FROM spool_recipients WHERE recipient = 'annv@yenbai.gov.vn' ORDER BY spool_id LIMIT 1");
    firstSpoolId = rows[0]!.id;
  });

  it('a second message from the same sender within the period gets none (RFC 5230 §4.1)', async () => {
    await sendIn({ from: 'vanthu@bogiaoduc.test', subject: 'Nhắc lại: lịch họp' });
    expect(await repliesSpooledTo('vanthu@bogiaoduc.test')).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(repliesReceivedBy('vanthu@bogiaoduc.test')).toHaveLength(1);
  });

  it('once the period has passed, the next message is answered again', async () => {
    await server.runtime.db.query("UPDATE vacation_replies SET last_sent_at = now() - interval '7 days 1 minute' WHERE sender = 'vanthu@bogiaoduc.test'");
    await sendIn({ from: 'vanthu@bogiaoduc.test', subject: 'Tuần sau: lịch họp' });
    expect(await repliesSpooledTo('vanthu@bogiaoduc.test')).toBe(2);
    await eventually(async () => (repliesReceivedBy('vanthu@bogiaoduc.test').length === 2 ? true : undefined), 10_000, 'the second reply');
  });

  it('the same spool row delivered again (a crash after COMMIT, a replay) adds neither a copy nor a reply', async () => {
    const db = server.runtime.db;
    // forget the senders answered, so only delivery's exactly-once stands between a replay and a second reply
    await db.query('DELETE FROM vacation_replies');
    await db.query("UPDATE spool_recipients SET status = 'pending', next_attempt_at = now() WHERE spool_id = $1", [firstSpoolId]);
    // reopening the row gives back the blob reference its closing released
    await db.query('UPDATE blobs SET refcount = refcount + 1 WHERE hash = (SELECT blob_hash FROM spool WHERE id = $1)', [firstSpoolId]);
    await db.query('UPDATE spool SET done_at = NULL WHERE id = $1', [firstSpoolId]);
    const results = await Promise.all([processSpool(server.context, firstSpoolId), processSpool(server.context, firstSpoolId)]);
    expect(results.some((r) => r.done)).toBe(true);
    await processSpool(server.context, firstSpoolId);
    const copies = (await messagesIn(db, an.id)).filter((m) => m.subject === 'Công văn số 45/BGD-VP về lịch họp');
    expect(copies).toHaveLength(1);
    expect(await repliesSpooledTo('vanthu@bogiaoduc.test')).toBe(2);
  });

  it('mail to an alias of the account is answered; so is a colleague, through local delivery', async () => {
    await sendIn({ from: 'ketoan@bogiaoduc.test', to: ['an@yenbai.gov.vn'], subject: 'Gửi qua bí danh' });
    expect(await repliesSpooledTo('ketoan@bogiaoduc.test')).toBe(1);
    await nodemailer
      .createTransport({ host: '127.0.0.1', port: server.ports.submission!, tls: { rejectUnauthorized: false }, auth: { user: 'binhtt@yenbai.gov.vn', pass: PASSWORD } })
      .sendMail({ from: '"Trần Thị Bình" <binhtt@yenbai.gov.vn>', to: 'annv@yenbai.gov.vn', subject: 'Anh An ơi', text: 'Chiều nay họp nhé.' });
    const reply = await eventually(async () => (await messagesIn(server.runtime.db, binh.id)).find((m) => m.subject === 'Auto: Anh An ơi'), 10_000, "the reply in Bình's INBOX");
    const mail = await simpleParser(await server.runtime.blobs.read(reply.blobHash));
    expect(mail.headers.get('auto-submitted')).toBe('auto-replied');
    expect(mail.text?.trimEnd()).toBe(BODY);
  });

  const unanswered: Array<[string, { from?: string; to?: string[]; rcpt?: string[]; extra?: string }]> = [
    ['Auto-Submitted: auto-generated', { extra: 'Auto-Submitted: auto-generated' }],
    ['List-Id', { extra: 'List-Id: Tin tuc <tintuc.bogiaoduc.test>' }],
    ['List-Unsubscribe', { extra: 'List-Unsubscribe: <mailto:roi@bogiaoduc.test>' }],
    ['Precedence: bulk', { extra: 'Precedence: bulk' }],
    ['an automated sender (noreply)', { from: 'noreply@bogiaoduc.test' }],
    ['mail that reached the account by Bcc only', { to: ['nguoikhac@bogiaoduc.test'], rcpt: ['annv@yenbai.gov.vn'] }],
    ['mail to a distribution group the account is in', { to: ['vanphong@yenbai.gov.vn'] }],
  ];
  it.each(unanswered)('no reply to %s', async (what, opts) => {
    const sender = opts.from ?? `nguoigui-${what.replace(/[^a-z]/gi, '').toLowerCase()}@bogiaoduc.test`;
    await sendIn({ from: sender, subject: `Không trả lời: ${what}`, ...opts });
    expect(await repliesSpooledTo(sender)).toBe(0);
  });

  it('no reply to a sender our MX found forged (SPF fail, unsigned): no backscatter', async () => {
    await sendIn({ from: 'giamdoc@giamao.test', subject: 'Thư giả mạo' });
    const [message] = (await messagesIn(server.runtime.db, an.id)).filter((m) => m.subject === 'Thư giả mạo');
    expect((await server.runtime.blobs.read(message!.blobHash)).toString('latin1')).toMatch(/^Authentication-Results: mx\.hopthu\.test;[^]*spf=fail/m);
    expect(await repliesSpooledTo('giamdoc@giamao.test')).toBe(0);
  });

  it('no reply to the null reverse-path (a bounce)', async () => {
    await sendIn({ from: 'mailer@bogiaoduc.test', envelopeFrom: '', subject: 'Thư báo lỗi' });
    const { rows } = await server.runtime.db.query("SELECT 1 FROM spool WHERE mail_from = '' AND source = 'mx'");
    expect(rows.length).toBeGreaterThan(0);
    expect(await repliesSpooledTo('mailer@bogiaoduc.test')).toBe(0);
  });

  it('no reply to the account itself', async () => {
    await nodemailer
      .createTransport({ host: '127.0.0.1', port: server.ports.submission!, tls: { rejectUnauthorized: false }, auth: { user: 'annv@yenbai.gov.vn', pass: PASSWORD } })
      .sendMail({ from: 'annv@yenbai.gov.vn', to: 'annv@yenbai.gov.vn', subject: 'Ghi chú cho mình' });
    await eventually(async () => ((await messagesIn(server.runtime.db, an.id)).some((m) => m.subject === 'Ghi chú cho mình') ? true : undefined), 10_000, 'the note in the INBOX');
    expect(await repliesSpooledTo('annv@yenbai.gov.vn')).toBe(0);
  });

  it('no reply before the start day or after the end day', async () => {
    await setVacation(server.runtime.db, an.id, { start: day(1), end: day(5) }, BY);
    await sendIn({ from: 'somnhat@bogiaoduc.test', subject: 'Trước kỳ nghỉ' });
    expect(await repliesSpooledTo('somnhat@bogiaoduc.test')).toBe(0);
    await setVacation(server.runtime.db, an.id, { start: day(-5), end: day(-1) }, BY);
    await sendIn({ from: 'muonnhat@bogiaoduc.test', subject: 'Sau kỳ nghỉ' });
    expect(await repliesSpooledTo('muonnhat@bogiaoduc.test')).toBe(0);
    // today as the first and the last day: answered
    await setVacation(server.runtime.db, an.id, { start: day(0), end: day(0) }, BY);
    await sendIn({ from: 'dungngay@bogiaoduc.test', subject: 'Trong kỳ nghỉ' });
    expect(await repliesSpooledTo('dungngay@bogiaoduc.test')).toBe(1);
  });

  it('switched off, nothing is answered', async () => {
    await setVacation(server.runtime.db, an.id, { enabled: false }, BY);
    await sendIn({ from: 'saukhitat@bogiaoduc.test', subject: 'Đã đi làm lại chưa?' });
    expect(await repliesSpooledTo('saukhitat@bogiaoduc.test')).toBe(0);
  });
});
