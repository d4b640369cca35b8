import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestDomain, eventually, messagesIn } from '../../support/fixtures.js';
import { freePort } from '../../support/ports.js';
import { WebClient } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';
import type { Account } from '../../../src/identity/accounts.js';
import { message, officer, OFFICER_PASSWORD, tableRows } from './admin-sec-support.js';

let env: TestEnv;
let server: RunningServer;
let base: string;
let admin: WebClient;
let sender: Account;

interface Pending {
  spool_id: number;
  attempts: number;
  status: string;
}

const recipientRow = async (recipient: string) =>
  (await server.runtime.db.query<Pending>('SELECT spool_id, attempts, status FROM spool_recipients WHERE recipient = $1', [recipient])).rows[0];

/** Sends a message over SMTP submission and waits until its first remote attempt has failed. */
async function sendDeferred(to: string, subject: string): Promise<Pending> {
  await nodemailer
    .createTransport({ host: '127.0.0.1', port: server.ports.submission!, secure: false, tls: { rejectUnauthorized: false }, auth: { user: sender.address, pass: OFFICER_PASSWORD } })
    .sendMail({ from: sender.address, to, subject, text: 'Kính gửi.' });
  return eventually(async () => {
    const row = await recipientRow(to);
    return row && row.attempts >= 1 ? row : undefined;
  }, 15_000, `a failed attempt to ${to}`);
}

beforeAll(async () => {
  // the remote domain's MX is on loopback, on a port where nothing listens: every attempt is refused
  // for now and deferred, the next in an hour
  const closed = await freePort();
  env = await createTestEnv({
    zones: {
      'bogiaoduc.test': [{ type: 'MX', exchange: 'mx.bogiaoduc.test', priority: 10 }],
      'mx.bogiaoduc.test': [{ type: 'A', address: '127.0.0.1' }],
    },
  });
  server = await env.start({ 'delivery.mxPort': closed, 'delivery.retryMinutes': [60] }, ['web', 'smtp', 'worker']);
  base = `http://127.0.0.1:${server.ports.http}`;
  const { db, config } = server.runtime;
  await addTestDomain(db, 'yenbai.gov.vn');
  await officer(db, config, 'quantri@yenbai.gov.vn', 'superadmin');
  await officer(db, config, 'kiemtoan@yenbai.gov.vn', 'auditor');
  sender = await officer(db, config, 'vanthu@yenbai.gov.vn');
  admin = new WebClient(base);
  await admin.login('quantri@yenbai.gov.vn', OFFICER_PASSWORD);
});
afterAll(async () => {
  await env?.stop();
});

describe('mail queue (superadmin)', () => {
  it('shows a message deferred by an unreachable remote server with its recipient, attempts, error and next try', async () => {
    const empty = await admin.get('/admin/queue');
    expect(empty.text).toContain('Hàng đợi trống.');
    const row = await sendDeferred('vanthu@bogiaoduc.test', 'Công văn 1');
    const res = await admin.get('/admin/queue');
    expect(res.status).toBe(200);
    const rows = tableRows(res.text, 'queue');
    expect(rows).toHaveLength(1);
    const [id, from, to, , attempts, error, next] = rows[0]!;
    expect([id, from, to, attempts]).toEqual([String(row.spool_id), 'vanthu@yenbai.gov.vn', 'vanthu@bogiaoduc.test', '1']);
    expect(error).toMatch(/^4\.4\.1 127\.0\.0\.1: connect ECONNREFUSED/);
    expect(next).not.toBe('');
    expect(res.text).toContain(`data-confirm="Hủy gửi thư số ${row.spool_id} và gửi báo lỗi cho người gửi?"`);
  });

  it('retries a message now: the worker attempts it again at once', async () => {
    const { spool_id } = (await recipientRow('vanthu@bogiaoduc.test'))!;
    await admin.get('/admin/queue');
    const res = await admin.postForm(`/admin/queue/${spool_id}/retry`, {});
    expect(res.status).toBe(303);
    expect(res.location).toBe('/admin/queue?done=retried&count=1');
    expect(message((await admin.get(res.location!)).text, 'notice')).toBe('Đang gửi lại 1 thư.');
    await eventually(async () => ((await recipientRow('vanthu@bogiaoduc.test'))!.attempts >= 2 ? true : undefined), 15_000, 'a second attempt');
  });

  it('bounces a message: its sender gets a delivery status notification and the queue is empty', async () => {
    const { spool_id } = (await recipientRow('vanthu@bogiaoduc.test'))!;
    await admin.get('/admin/queue');
    const res = await admin.postForm(`/admin/queue/${spool_id}/bounce`, {});
    expect(res.status).toBe(303);
    expect(message((await admin.get(res.location!)).text, 'notice')).toBe(`Đã hủy 1 người nhận của thư số ${spool_id}; người gửi sẽ nhận thông báo.`);
    expect((await recipientRow('vanthu@bogiaoduc.test'))!.status).toBe('failed');
    await eventually(async () => ((await messagesIn(server.runtime.db, sender.id)).length > 0 ? true : undefined), 15_000, 'the bounce in the sender’s INBOX');
    expect(tableRows((await admin.get('/admin/queue')).text, 'queue')).toEqual([]);
    const again = await admin.postForm(`/admin/queue/${spool_id}/bounce`, {});
    expect(again.status).toBe(404);
    const { rows } = await server.runtime.db.query<{ action: string; target: string; actor: string }>(
      "SELECT action, target, actor FROM audit_events WHERE action LIKE 'queue.%' ORDER BY id",
    );
    expect(rows).toEqual([
      { action: 'queue.retry', target: String(spool_id), actor: 'quantri@yenbai.gov.vn' },
      { action: 'queue.bounce', target: String(spool_id), actor: 'quantri@yenbai.gov.vn' },
    ]);
  });

  it('retries everything waiting at once', async () => {
    await sendDeferred('a@bogiaoduc.test', 'Công văn 2');
    await sendDeferred('b@bogiaoduc.test', 'Công văn 3');
    await admin.get('/admin/queue');
    const res = await admin.postForm('/admin/queue/retry', {});
    expect(res.location).toBe('/admin/queue?done=retried&count=2');
    await eventually(async () => {
      const a = await recipientRow('a@bogiaoduc.test');
      const b = await recipientRow('b@bogiaoduc.test');
      return a!.attempts >= 2 && b!.attempts >= 2 ? true : undefined;
    }, 15_000, 'second attempts');
  });

  it('is refused to an auditor and answers 404 for a malformed message number', async () => {
    const auditor = new WebClient(base);
    await auditor.login('kiemtoan@yenbai.gov.vn', OFFICER_PASSWORD);
    expect((await auditor.get('/admin/queue')).status).toBe(403);
    expect((await auditor.postForm('/admin/queue/retry', {})).status).toBe(403);
    expect((await admin.postForm('/admin/queue/abc/bounce', {})).status).toBe(404);
  });
});
