import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain, eventually, messagesIn } from '../../support/fixtures.js';
import { MASTER_NAME, startSentinelGroup, type SentinelGroup } from '../../support/redis-sentinel.js';
import { PASSWORD, sendViaMx } from '../imap/helpers.js';
import type { RunningServer } from '../../../src/cli/server.js';
import type { Account } from '../../../src/identity/accounts.js';
import { connectRedis } from '../../../src/store/redis.js';
import { DeliveryQueue } from '../../../src/delivery/queue.js';

let env: TestEnv;
let group: SentinelGroup;
let smtp: RunningServer;
let an: Account;
let sentinelConfig: Record<string, unknown>;

beforeAll(async () => {
  env = await createTestEnv({ zones: { 'sender.test': [{ type: 'TXT', text: 'v=spf1 ip4:127.0.0.1 -all' }] } });
  group = await startSentinelGroup(path.join(env.dir, 'sentinel-group'));
  sentinelConfig = { redisUrl: undefined, redisSentinel: { sentinels: group.sentinelPorts.map((p) => `127.0.0.1:${p}`), name: MASTER_NAME } };
  // no worker yet: the job must still be waiting in Redis when the master dies
  smtp = await env.start(sentinelConfig, ['smtp']);
  await addTestDomain(smtp.runtime.db, 'yenbai.gov.vn');
  an = await addTestAccount(smtp.runtime.db, smtp.runtime.config, 'annv@yenbai.gov.vn', { name: 'Nguyễn Văn An', password: PASSWORD });
}, 60_000);

afterAll(async () => {
  try {
    process.kill(group.replicaPid, 'SIGCONT');
  } catch {
    // gone already
  }
  await env?.stop();
  await group?.stop();
});

describe('Redis behind Sentinel: a job the old master took with it', () => {
  it('is queued again from the spool by the reconciler, and the message is delivered', { timeout: 60_000 }, async () => {
    // the replica stops reading its replication stream; 32 MB more than TCP's buffers hold keep
    // whatever the master writes next (the message's job) on the master's side
    process.kill(group.replicaPid, 'SIGSTOP');
    const master = connectRedis(`redis://127.0.0.1:${group.masterPort}`);
    await master.set('filler', Buffer.alloc(32 * 1024 * 1024, 'x'));
    await sendViaMx(smtp, 'Nhận trước khi máy chủ Redis hỏng');
    const [spool] = (await smtp.runtime.db.query<{ id: number }>('SELECT id FROM spool')).rows;
    const jobOnMaster = await new DeliveryQueue(master, smtp.runtime.config.redisPrefix).has(spool!.id);
    expect(jobOnMaster).toBe(true);
    master.disconnect();

    // the master dies with the job; the replica, let go, is promoted without it
    group.killMaster();
    process.kill(group.replicaPid, 'SIGCONT');
    await eventually(async () => ((await group.currentMaster())?.port === group.replicaPort ? true : undefined), 20_000, 'the Sentinel to promote the replica');
    const jobOnNewMaster = await new DeliveryQueue(smtp.runtime.connectRedis(), smtp.runtime.config.redisPrefix).has(spool!.id);
    expect(jobOnNewMaster).toBe(false);

    // a worker (with its reconciler) finds the spool row that no job holds, and delivers it
    await env.start(sentinelConfig, ['worker']);
    const delivered = await eventually(async () => {
      const messages = await messagesIn(smtp.runtime.db, an.id);
      return messages.length ? messages : undefined;
    }, 20_000, 'the message to be delivered');
    expect(delivered.map((m) => m.subject)).toEqual(['Nhận trước khi máy chủ Redis hỏng']);
  });
});
