import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain, eventually, messagesIn } from '../../support/fixtures.js';
import type { RunningServer } from '../../../src/cli/server.js';
import type { Account } from '../../../src/identity/accounts.js';

/**
 * Delivery at acceptance (delivery/accept.ts): in a process that runs the worker too, local
 * mail is in its INBOX when the client hears 250, and its spool row is closed without a
 * queue job. When PostgreSQL refuses the delivery, the message is still accepted, and the
 * worker delivers it once the cause is gone: nothing acknowledged is lost.
 */
let env: TestEnv;
let server: RunningServer;
let an: Account;

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({ 'delivery.retryMinutes': [0.01], 'delivery.reconcileSeconds': 1, 'delivery.reconcileGraceSeconds': 1 });
  await addTestDomain(server.runtime.db, 'yenbai.gov.vn');
  an = await addTestAccount(server.runtime.db, server.runtime.config, 'annv@yenbai.gov.vn');
});

afterAll(async () => {
  await server?.runtime.db.query('DROP FUNCTION IF EXISTS refuse_test_messages() CASCADE').catch(() => {});
  await env?.stop();
});

const send = (subject: string) =>
  nodemailer
    .createTransport({ host: '127.0.0.1', port: server.ports.mx!, tls: { rejectUnauthorized: false }, name: 'mail.sender.test' })
    .sendMail({ from: 'x@example.test', to: 'annv@yenbai.gov.vn', subject, text: 'Kính gửi anh An.' });

describe('delivery at acceptance', () => {
  it('has the message in the INBOX and its spool row closed when the client hears 250', async () => {
    const info = await send('Giấy mời họp');
    const spoolId = Number(/queued as (\d+)/.exec(info.response)![1]);
    expect((await messagesIn(server.runtime.db, an.id)).map((m) => m.subject)).toContain('Giấy mời họp');
    const { rows } = await server.runtime.db.query<{ done: boolean; status: string; last_code: string }>(
      'SELECT s.done_at IS NOT NULL AS done, r.status, r.last_code FROM spool s JOIN spool_recipients r ON r.spool_id = s.id WHERE s.id = $1',
      [spoolId],
    );
    expect(rows).toEqual([{ done: true, status: 'delivered', last_code: '2.0.0' }]);
    expect(await server.context.queue.has(spoolId)).toBe(false);
  });

  it('accepts the message when PostgreSQL refuses its delivery, and the worker delivers it once later', async () => {
    // a fault only in the messages table: the spool insert works, the delivery does not
    await server.runtime.db.query(`
      CREATE FUNCTION refuse_test_messages() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'test: the messages table refuses rows'; END $$;
      CREATE TRIGGER refuse_test_messages BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_test_messages();`);
    const info = await send('Công văn khẩn');
    expect(info.response).toMatch(/^250 /);
    expect((await messagesIn(server.runtime.db, an.id)).map((m) => m.subject)).not.toContain('Công văn khẩn');
    await server.runtime.db.query('DROP FUNCTION refuse_test_messages() CASCADE');
    await eventually(
      async () => ((await messagesIn(server.runtime.db, an.id)).some((m) => m.subject === 'Công văn khẩn') ? true : undefined),
      20_000,
      'the worker to deliver the message',
    );
    // once, even after the reconciler's further passes
    await new Promise((r) => setTimeout(r, 2500));
    expect((await messagesIn(server.runtime.db, an.id)).filter((m) => m.subject === 'Công văn khẩn')).toHaveLength(1);
  });
});
