import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { connectRedis } from '../../../src/store/redis.js';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain, eventually, rawMessage } from '../../support/fixtures.js';
import type { RunningServer } from '../../../src/cli/server.js';

const MESSAGES = 300;
const ACCOUNTS = 10;

let env: TestEnv;
let smtp: RunningServer;

/** A worker in its own process, as `hopthu start --roles worker` runs it, so it can be killed for real. */
function startWorkerProcess(): ChildProcess {
  const config = smtp.runtime.config;
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('src/cli/main.ts'), 'start', '--roles', 'worker'], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: config.databaseUrl,
      REDIS_URL: config.redisUrl,
      HOPTHU_DATA_DIR: config.dataDir,
      HOPTHU_HOSTNAME: config.hostname,
      HOPTHU_DNS__SERVERS: JSON.stringify(config.dns.servers),
      HOPTHU_DELIVERY__RECONCILE_SECONDS: '1',
      HOPTHU_DELIVERY__RECONCILE_GRACE_SECONDS: '2',
      HOPTHU_LOG__LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function deliveredCount(): Promise<number> {
  const { rows } = await smtp.runtime.db.query<{ n: number }>("SELECT count(*)::int AS n FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.name = 'INBOX'");
  return rows[0]!.n;
}

beforeAll(async () => {
  env = await createTestEnv();
  smtp = await env.start({}, ['smtp']);
  await addTestDomain(smtp.runtime.db, 'yenbai.gov.vn');
  for (let i = 0; i < ACCOUNTS; i++) await addTestAccount(smtp.runtime.db, smtp.runtime.config, `user${i}@yenbai.gov.vn`);
});

afterAll(async () => {
  await env?.stop();
});

describe('nothing acknowledged is lost', () => {
  it('kill -9 of the worker mid-delivery and a flushed Redis: every accepted message is delivered exactly once', async () => {
    let worker = startWorkerProcess();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.ports.mx!, pool: true, maxConnections: 5, maxMessages: Infinity, tls: { rejectUnauthorized: false } });
    let accepted = 0;
    const sends = Array.from({ length: MESSAGES }, (_, i) =>
      transport
        .sendMail({
          envelope: { from: 'sender@example.test', to: [`user${i % ACCOUNTS}@yenbai.gov.vn`] },
          raw: rawMessage({ from: 'sender@example.test', to: [`user${i % ACCOUNTS}@yenbai.gov.vn`], subject: `no-loss ${i}` }),
        })
        .then(() => accepted++),
    );
    // kill the worker once it is busy delivering
    await eventually(async () => ((await deliveredCount()) >= 20 ? true : undefined), 30_000, 'the worker to start delivering');
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    await Promise.all(sends);
    transport.close();
    expect(accepted).toBe(MESSAGES);
    const before = await deliveredCount();
    expect(before).toBeLessThan(MESSAGES);

    // Redis loses every job
    const redis = connectRedis(smtp.runtime.config.redisUrl!);
    await redis.flushall();
    redis.disconnect();

    worker = startWorkerProcess();
    try {
      await eventually(async () => ((await deliveredCount()) >= MESSAGES ? true : undefined), 60_000, 'every message to be delivered');
      // give a duplicate time to appear, if one were coming
      await new Promise((r) => setTimeout(r, 1500));
      const { rows } = await smtp.runtime.db.query<{ subject: string; n: number }>(
        "SELECT subject, count(*)::int AS n FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.name = 'INBOX' GROUP BY subject",
      );
      expect(rows.length).toBe(MESSAGES);
      expect(rows.every((r) => r.n === 1)).toBe(true);
      const open = await smtp.runtime.db.query("SELECT 1 FROM spool WHERE done_at IS NULL");
      expect(open.rowCount).toBe(0);
    } finally {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
    }
  }, 120_000);
});
