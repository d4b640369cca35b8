import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { ImapFlow } from 'imapflow';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain, eventually } from '../../support/fixtures.js';
import { MASTER_NAME, startSentinelGroup, type SentinelGroup } from '../../support/redis-sentinel.js';
import { imapClient, PASSWORD, sendViaMx } from '../imap/helpers.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { connectRedis } from '../../../src/store/redis.js';
import { redisSettingWarnings } from '../../../src/store/redis-settings.js';

let env: TestEnv;
let group: SentinelGroup;
let server: RunningServer;

/** the next EXISTS the idling client hears */
function nextExists(client: ImapFlow, ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no EXISTS within ${ms} ms`)), ms);
    client.once('exists', (data: { count: number }) => {
      clearTimeout(timer);
      resolve(data.count);
    });
  });
}

async function subjectsInInbox(): Promise<string[]> {
  const reader = imapClient(server);
  reader.on('error', () => {});
  await reader.connect();
  await reader.mailboxOpen('INBOX');
  const subjects: string[] = [];
  for await (const m of reader.fetch('1:*', { envelope: true })) subjects.push(m.envelope?.subject ?? '');
  await reader.logout();
  return subjects;
}

beforeAll(async () => {
  env = await createTestEnv({ zones: { 'sender.test': [{ type: 'TXT', text: 'v=spf1 ip4:127.0.0.1 -all' }] } });
  // three Sentinels with a quorum of two, as in production
  group = await startSentinelGroup(path.join(env.dir, 'sentinel-group'), 3);
  server = await env.start(
    { redisUrl: undefined, redisSentinel: { sentinels: group.sentinelPorts.map((p) => `127.0.0.1:${p}`), name: MASTER_NAME } },
    ['smtp', 'worker', 'imap'],
  );
  await addTestDomain(server.runtime.db, 'yenbai.gov.vn');
  await addTestAccount(server.runtime.db, server.runtime.config, 'annv@yenbai.gov.vn', { name: 'Nguyễn Văn An', password: PASSWORD });
}, 60_000);

afterAll(async () => {
  await env?.stop();
  await group?.stop();
});

describe('Redis behind Sentinel', () => {
  it('mail flows before, during and after the master is killed, and an IDLE session hears it all', { timeout: 60_000 }, async () => {
    const idler = imapClient(server);
    idler.on('error', () => {});
    await idler.connect();
    await idler.mailboxOpen('INBOX');
    void idler.idle().catch(() => {});

    // through the first master
    let exists = nextExists(idler, 10_000);
    await sendViaMx(server, 'Trước khi chuyển máy chủ');
    expect(await exists).toBe(1);

    // the start-up check asks the master: a replica set up wrong goes unseen until it is promoted
    const replica = connectRedis(`redis://127.0.0.1:${group.replicaPort}`);
    await replica.config('SET', 'appendonly', 'no');
    replica.disconnect();
    expect(await redisSettingWarnings(server.runtime.connectRedis())).toEqual([]);

    // the master dies without a word; a message sent at once is accepted (its spool row is in
    // PostgreSQL) and its job reaches whichever Redis is master once the Sentinel has promoted one
    group.killMaster();
    exists = nextExists(idler, 30_000);
    await sendViaMx(server, 'Trong lúc chuyển máy chủ');
    const promoted = await eventually(async () => {
      const master = await group.currentMaster();
      return master?.port === group.replicaPort ? master : undefined;
    }, 20_000, 'the Sentinel to promote the replica');
    expect(promoted).toEqual({ host: '127.0.0.1', port: group.replicaPort });
    // the subscriber of the IMAP role found the new master and subscribed again there
    expect(await exists).toBe(2);
    expect(await redisSettingWarnings(server.runtime.connectRedis())).toEqual([expect.stringMatching(/without the append-only file/)]);

    // through the promoted replica
    exists = nextExists(idler, 10_000);
    await sendViaMx(server, 'Sau khi chuyển máy chủ');
    expect(await exists).toBe(3);

    await idler.logout().catch(() => {});
    expect(await subjectsInInbox()).toEqual(['Trước khi chuyển máy chủ', 'Trong lúc chuyển máy chủ', 'Sau khi chuyển máy chủ']);
    // and every spool row is closed: nothing waits for a job that the old master took with it
    const closed = await eventually(async () => {
      const open = await server.runtime.db.query('SELECT id FROM spool WHERE done_at IS NULL');
      return open.rowCount === 0 ? true : undefined;
    }, 10_000, 'every spool row to be closed');
    expect(closed).toBe(true);
  });
});
