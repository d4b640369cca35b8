import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import { startedCliServer } from '../../support/cli.js';
import { freePort } from '../../support/ports.js';
import { PASSWORD, sendViaMx } from './helpers.js';
import type { RunningServer } from '../../../src/cli/server.js';

let env: TestEnv;
let mail: RunningServer;
const processes: ChildProcess[] = [];

/**
 * a `hopthu start --roles imap` process of its own against the same PostgreSQL and Redis;
 * ports are free when picked, and another test may take one before the process binds it:
 * then it is started again on others
 */
async function imapProcess(attempt = 1): Promise<{ port: number }> {
  const port = await freePort();
  try {
    const { child } = await startedCliServer(['--roles', 'imap'], {
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redis.url,
      HOPTHU_DATA_DIR: path.join(env.dir, `data-imap-${port}`),
      HOPTHU_LISTEN_HOST: '127.0.0.1',
      HOPTHU_PORTS__IMAP: String(port),
      HOPTHU_PORTS__IMAPS: String(await freePort()),
      HOPTHU_PORTS__HEALTH: String(await freePort()),
    });
    processes.push(child);
    return { port };
  } catch (err) {
    if (attempt < 3 && /EADDRINUSE/.test((err as Error).message)) return imapProcess(attempt + 1);
    throw err;
  }
}

const client = (port: number) => {
  const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user: 'annv@yenbai.gov.vn', pass: PASSWORD }, logger: false } as ImapFlowOptions);
  c.on('error', () => {});
  return c;
};

/** the next `event` the client emits, and how long it took */
function next<T>(c: ImapFlow, event: string, ms = 5000): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    c.once(event, (value: T) => {
      clearTimeout(timer);
      resolve({ value, ms: Date.now() - started });
    });
  });
}

beforeAll(async () => {
  env = await createTestEnv({ zones: { 'sender.test': [{ type: 'TXT', text: 'v=spf1 ip4:127.0.0.1 -all' }] } });
  // SMTP and delivery in this process; IMAP in two others
  mail = await env.start({}, ['smtp', 'worker']);
  await addTestDomain(mail.runtime.db, 'yenbai.gov.vn');
  await addTestAccount(mail.runtime.db, mail.runtime.config, 'annv@yenbai.gov.vn', { name: 'Nguyễn Văn An', password: PASSWORD });
}, 120_000);

afterAll(async () => {
  for (const p of processes) if (p.exitCode === null) p.kill('SIGKILL');
  await env?.stop();
});

describe('two `hopthu start --roles imap` processes on one PostgreSQL and Redis', () => {
  it('a session idling in one process hears what a session in the other process and the delivery worker do, within a second', { timeout: 180_000 }, async () => {
    const [a, b] = await Promise.all([imapProcess(), imapProcess()]);
    const idler = client(a.port);
    const actor = client(b.port);
    await idler.connect();
    await actor.connect();
    await idler.mailboxOpen('INBOX');
    await actor.mailboxOpen('INBOX');
    void idler.idle().catch(() => {});

    // APPEND in process B → EXISTS in process A
    let exists = next<{ count: number }>(idler, 'exists');
    await actor.append('INBOX', 'From: a@yenbai.gov.vn\r\nSubject: Lich hop\r\n\r\nThu hai.\r\n');
    let heard = await exists;
    expect(heard.value.count).toBe(1);
    expect(heard.ms).toBeLessThan(1000);

    // delivered through the MX by the worker of a third process → EXISTS in A
    exists = next<{ count: number }>(idler, 'exists', 15_000);
    await sendViaMx(mail, 'Giấy mời họp');
    heard = await exists;
    expect(heard.value.count).toBe(2);

    // flags changed in B → FETCH FLAGS in A
    const flags = next<{ uid?: number; flags: Set<string> }>(idler, 'flags');
    await actor.messageFlagsAdd('1', ['\\Seen']);
    const changed = await flags;
    expect([...changed.value.flags]).toContain('\\Seen');
    expect(changed.ms).toBeLessThan(1000);

    // EXPUNGE in B → EXPUNGE in A
    const expunge = next<{ seq: number }>(idler, 'expunge');
    await actor.messageDelete('1');
    const gone = await expunge;
    expect(gone.value.seq).toBe(1);
    expect(gone.ms).toBeLessThan(1000);

    await actor.logout();
    await idler.logout().catch(() => {});
  });

  it('a process that alone watched a folder (its changes skipping Redis) publishes to one that opens it later, and nothing it did before is missed', { timeout: 180_000 }, async () => {
    const [a, b] = await Promise.all([imapProcess(), imapProcess()]);
    const first = client(a.port);
    await first.connect();
    await first.mailboxOpen('INBOX');
    const appended = await first.append('INBOX', 'From: a@yenbai.gov.vn\r\nSubject: Bao cao\r\n\r\nThu ba.\r\n');
    const uid = appended ? (appended.uid ?? 0) : 0;
    expect(uid).toBeGreaterThan(0);
    // no other process listens yet: these changes stay within process A
    await first.messageFlagsAdd(String(uid), ['\\Flagged'], { uid: true });
    await first.messageFlagsAdd(String(uid), ['\\Answered'], { uid: true });

    const later = client(b.port);
    await later.connect();
    await later.mailboxOpen('INBOX');
    const seen = await later.fetchOne(String(uid), { flags: true }, { uid: true });
    expect(seen && [...seen.flags!].sort()).toEqual(['\\Answered', '\\Flagged']);
    void later.idle().catch(() => {});

    // B announced itself on opening the folder: A's next change reaches B's idling session
    const flags = next<{ uid?: number; flags: Set<string> }>(later, 'flags');
    await first.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
    const changed = await flags;
    expect([...changed.value.flags]).toContain('\\Seen');
    expect(changed.ms).toBeLessThan(1000);

    await first.logout();
    await later.logout().catch(() => {});
  });
});
