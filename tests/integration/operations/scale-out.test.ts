import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import nodemailer from 'nodemailer';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain, eventually, rawMessage } from '../../support/fixtures.js';
import { startedCliServer } from '../../support/cli.js';
import { createPool, type Db } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import { loadConfig } from '../../../src/config/index.js';

const MESSAGES = 200;
const ACCOUNTS = 5;
const PASSWORD = 'mat-khau-phan-tan-2026';
let env: TestEnv;
let db: Db;
const children: ChildProcess[] = [];

/** one `hopthu start --roles ROLES` process on the shared PostgreSQL and Redis; every port chosen by the system, read from its start line */
async function role(roles: string): Promise<{ child: ChildProcess; ports: Record<string, number>; output: () => string }> {
  const { child, output } = await startedCliServer(['--roles', roles], {
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redis.url,
    // one blob directory for every process, as a shared file system gives machines (deploy/README.md)
    HOPTHU_DATA_DIR: path.join(env.dir, 'shared-data'),
    HOPTHU_LISTEN_HOST: '127.0.0.1',
    HOPTHU_HOSTNAME: 'mx.hopthu.test',
    HOPTHU_DNS__SERVERS: JSON.stringify([env.dns.address]),
    HOPTHU_PORTS__SMTP: '0',
    HOPTHU_PORTS__SUBMISSION: '0',
    HOPTHU_PORTS__SUBMISSIONS: '0',
    HOPTHU_PORTS__IMAP: '0',
    HOPTHU_PORTS__IMAPS: '0',
    HOPTHU_PORTS__HEALTH: '0',
    HOPTHU_DELIVERY__RECONCILE_SECONDS: '1',
    HOPTHU_DELIVERY__RECONCILE_GRACE_SECONDS: '6',
    // a job the killed worker held goes to the other worker in seconds, not a minute
    HOPTHU_DELIVERY__JOB_LOCK_SECONDS: '4',
    HOPTHU_SMTP__VERIFY_INBOUND: 'false',
  });
  children.push(child);
  const started = output().split('\n').find((l) => l.includes('"hopthu started"'))!;
  return { child, ports: (JSON.parse(started) as { ports: Record<string, number> }).ports, output };
}

const kill = async (child: ChildProcess) => {
  child.kill('SIGKILL');
  if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
};

/** every INBOX message, by subject, with how many copies */
async function inboxSubjects(): Promise<Map<string, number>> {
  const { rows } = await db.query<{ subject: string; n: number }>(
    "SELECT m.subject, count(*)::int AS n FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.name = 'INBOX' GROUP BY m.subject",
  );
  return new Map(rows.map((r) => [r.subject, r.n]));
}

beforeAll(async () => {
  env = await createTestEnv();
  db = createPool(env.databaseUrl, 4);
  await migrate(db);
  const config = loadConfig({ env: {}, file: undefined, overrides: { 'argon2.memoryKiB': 8192, 'argon2.iterations': 1 } });
  await addTestDomain(db, 'yenbai.gov.vn');
  for (let i = 0; i < ACCOUNTS; i++) await addTestAccount(db, config, `nv${i}@yenbai.gov.vn`, { password: PASSWORD });
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await db?.end();
  await env?.stop();
});

describe('scale-out: one smtp, two worker and two imap processes on one PostgreSQL and Redis', () => {
  it('mail flows, IDLE works across processes, and killing any one process loses nothing', { timeout: 300_000 }, async () => {
    // the first makes the self-signed certificate the others then read
    const smtp = await role('smtp');
    const [worker1, , imap1, imap2] = await Promise.all([role('worker'), role('worker'), role('imap'), role('imap')]);

    // a reader idles on imap process 1
    const reader = new ImapFlow({ host: '127.0.0.1', port: imap1.ports.imap!, secure: false, doSTARTTLS: false, auth: { user: 'nv0@yenbai.gov.vn', pass: PASSWORD }, logger: false } as ImapFlowOptions);
    reader.on('error', () => {});
    await reader.connect();
    await reader.mailboxOpen('INBOX');
    const firstExists = new Promise<number>((resolve) => reader.once('exists', (e: { count: number }) => resolve(e.count)));
    void reader.idle().catch(() => {});

    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.ports.mx!, pool: true, maxConnections: 4, maxMessages: Infinity, tls: { rejectUnauthorized: false } });
    const accepted: string[] = [];
    const failures: string[] = [];
    const send = (i: number) => {
      const to = `nv${i % ACCOUNTS}@yenbai.gov.vn`;
      const subject = `phan-tan ${i}`;
      return transport.sendMail({ envelope: { from: 'sender@example.test', to: [to] }, raw: rawMessage({ from: 'sender@example.test', to: [to], subject }) })
        .then(() => accepted.push(subject), (e: Error) => { if (!failures.length) failures.push(e.message); });
    };
    // the first half, while one worker is killed mid-delivery
    const firstHalf = Array.from({ length: MESSAGES / 2 }, (_, i) => send(i));
    const deliveredSoFar = async () => [...(await inboxSubjects()).values()].reduce((a, b) => a + b, 0);
    await eventually(async () => ((await deliveredSoFar()) >= 10 ? true : undefined), 60_000, 'deliveries to start').catch((e: Error) => {
      // say why: refused by SMTP, or failing in the worker
      const failed = worker1.output().split('\n').find((l) => l.includes('delivery job failed'));
      throw new Error(`${e.message}; accepted ${accepted.length}; first refusal: ${failures[0]}; worker: ${failed?.slice(0, 1500)}`);
    });
    await kill(worker1.child);
    // the IDLE in imap process 1 heard delivery by a worker process
    expect(await firstExists).toBeGreaterThanOrEqual(1);
    await Promise.all(firstHalf);
    // the second half, while the smtp process is killed: what it accepted before must arrive
    const secondHalf = Array.from({ length: MESSAGES / 2 }, (_, i) => send(MESSAGES / 2 + i));
    await eventually(async () => (accepted.length >= MESSAGES / 2 + 20 ? true : undefined), 60_000, 'more acceptances');
    await kill(smtp.child);
    await Promise.all(secondHalf);
    transport.close();
    // and the imap process the reader used
    await kill(imap1.child);

    expect(accepted.length).toBeGreaterThanOrEqual(MESSAGES / 2 + 20);
    const delivered = await eventually(async () => {
      const inbox = await inboxSubjects();
      return accepted.every((s) => inbox.has(s)) ? inbox : undefined;
    }, 120_000, 'every accepted message in its INBOX');
    // exactly once
    for (const s of accepted) expect(delivered.get(s), s).toBe(1);

    // the reader moves to imap process 2 and finds its mail there
    const again = new ImapFlow({ host: '127.0.0.1', port: imap2.ports.imap!, secure: false, doSTARTTLS: false, auth: { user: 'nv0@yenbai.gov.vn', pass: PASSWORD }, logger: false } as ImapFlowOptions);
    again.on('error', () => {});
    await again.connect();
    // every message delivered to nv0: the acknowledged ones, and any whose 250 the killed smtp
    // process never sent (committed before it died, delivered by the reconciler); once the
    // queue is empty, each exactly once, and STATUS counts them all
    await eventually(async () => ((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM spool WHERE done_at IS NULL')).rows[0]!.n === 0 ? true : undefined), 60_000, 'an empty queue');
    const status = await again.status('INBOX', { messages: true });
    const final = await inboxSubjects();
    for (const [s, n] of final) expect(n, s).toBe(1);
    const forNv0 = [...final.keys()].filter((s) => Number(s.split(' ')[1]) % ACCOUNTS === 0);
    expect(forNv0.length).toBeGreaterThanOrEqual(accepted.filter((s) => Number(s.split(' ')[1]) % ACCOUNTS === 0).length);
    expect(status && status.messages).toBe(forNv0.length);
    await again.logout();
  });
});
