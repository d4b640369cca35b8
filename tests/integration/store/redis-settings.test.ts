import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { findRedisServer } from '../../../src/store/embedded-redis.js';
import { connectRedis } from '../../../src/store/redis.js';
import { redisSettingWarnings } from '../../../src/store/redis-settings.js';
import { freePort } from '../../support/ports.js';

const started: Array<{ child: ChildProcess; dir: string }> = [];
afterAll(() => {
  for (const s of started) {
    s.child.kill('SIGKILL');
    rmSync(s.dir, { recursive: true, force: true });
  }
});

/** a redis-server with these settings, as an operator might have left it */
async function redisWith(args: string[]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hopthu-redis-settings-'));
  const port = await freePort();
  const child = spawn(findRedisServer()!, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...args], { stdio: 'ignore' });
  started.push({ child, dir });
  const redis = connectRedis(`redis://127.0.0.1:${port}`);
  // refused until the server listens: ioredis retries, and the ping waits for it
  redis.on('error', () => {});
  await redis.ping();
  return redis;
}

describe('Redis settings a mail queue needs', () => {
  it('warns about eviction and a missing append-only file, naming the setting to change', async () => {
    const redis = await redisWith(['--maxmemory-policy', 'allkeys-lru', '--appendonly', 'no']);
    const warnings = await redisSettingWarnings(redis);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/maxmemory-policy is "allkeys-lru": set it to "noeviction"/);
    expect(warnings[1]).toMatch(/appendonly yes/);
    redis.disconnect();
  });

  it('is quiet when Redis is set up for a queue', async () => {
    const redis = await redisWith(['--maxmemory-policy', 'noeviction', '--appendonly', 'yes']);
    expect(await redisSettingWarnings(redis)).toEqual([]);
    redis.disconnect();
  });
});
