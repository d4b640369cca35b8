import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../../src/store/embedded-redis.js';
import { connectRedis } from '../../../src/store/redis.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { withinMessageRate } from '../../../src/smtp/rate-limits.js';
import type { Redis } from 'ioredis';

let dir: string;
let server: EmbeddedRedis;
let redis: Redis;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hopthu-rate-'));
  server = await startEmbeddedRedis({ dir, log: silentLogger, appendOnly: false });
  redis = connectRedis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('messages per IP per minute', () => {
  const minute = 60_000 * 29_000_000; // a minute boundary

  it('allows the limit and refuses the next within the minute', async () => {
    const at = minute + 10_000;
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await withinMessageRate(redis, 'a', '192.0.2.1', 5, at + i));
    expect(results).toEqual([true, true, true, true, true, false]);
  });

  it('does not let a burst through twice across a minute boundary', async () => {
    const before = [];
    for (let i = 0; i < 5; i++) before.push(await withinMessageRate(redis, 'b', '192.0.2.2', 5, minute - 1000 + i));
    expect(before.every(Boolean)).toBe(true);
    // one second later, in the next minute: the last minute's five still count, nearly whole
    const after = [];
    for (let i = 0; i < 5; i++) after.push(await withinMessageRate(redis, 'b', '192.0.2.2', 5, minute + 1000 + i));
    expect(after.filter(Boolean).length).toBeLessThanOrEqual(1);
  });

  it('forgets the previous minute as it slides out of the window', async () => {
    for (let i = 0; i < 5; i++) await withinMessageRate(redis, 'c', '192.0.2.3', 5, minute - 59_000 + i);
    // 55 s into the next minute only a twelfth of the last minute still counts
    const later = [];
    for (let i = 0; i < 5; i++) later.push(await withinMessageRate(redis, 'c', '192.0.2.3', 5, minute + 55_000 + i));
    expect(later.every(Boolean)).toBe(true);
  });
});
