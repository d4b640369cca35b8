import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { startedCliServer } from '../../support/cli.js';
import { freePort } from '../../support/ports.js';
import { pino } from 'pino';
import { startServer } from '../../../src/cli/server.js';

let env: TestEnv;
let server: ChildProcess | undefined;

beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  await env?.stop();
});

describe('graceful shutdown', () => {
  it('on SIGTERM a process exits soon after shutdownSeconds even when its Redis is gone', { timeout: 120_000 }, async () => {
    const healthPort = await freePort();
    const started = await startedCliServer(['--roles', 'worker'], {
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redis.url,
      HOPTHU_DATA_DIR: path.join(env.dir, 'data'),
      HOPTHU_LISTEN_HOST: '127.0.0.1',
      HOPTHU_PORTS__HEALTH: String(healthPort),
      HOPTHU_SHUTDOWN_SECONDS: '3',
    });
    server = started.child;
    expect((await fetch(`http://127.0.0.1:${healthPort}/healthz`)).status).toBe(200);

    // the queue's Redis disappears: the worker can no longer close its connections cleanly
    await env.redis.stop();
    const exited = new Promise<number | null>((resolve) => server!.once('exit', resolve));
    const signalled = Date.now();
    server.kill('SIGTERM');
    const code = await exited;
    const seconds = (Date.now() - signalled) / 1000;
    expect(seconds).toBeLessThan(10);
    // 0 when the steps ended, the late ones named (BullMQ's close waits for the Redis that is
    // gone), then the stores closed; 1 when even the grace after shutdownSeconds ran out (the log says so)
    expect([0, 1]).toContain(code);
    if (code === 0) expect(started.output()).toMatch(/"step":"the delivery worker".*"msg":"a step of stopping took too long; going on without it"/);
    if (code === 1) expect(started.output()).toContain('stopping took too long; exiting with work handed back');
  });

  it('in one process, stop() ends within shutdownSeconds when its Redis is gone, naming the step it left behind', { timeout: 60_000 }, async () => {
    const own = await createTestEnv();
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    try {
      const running = await startServer(own.config({ shutdownSeconds: 2 }), log, ['worker', 'imap']);
      await own.redis.stop();
      const started = Date.now();
      await running.stop();
      expect((Date.now() - started) / 1000).toBeLessThan(8);
      // BullMQ's close waits for a Redis that will not come back: the step is named and left
      // behind, and the stores after it are closed all the same
      const late = lines.map((l) => JSON.parse(l) as { msg: string; step?: string }).filter((l) => l.msg.startsWith('a step of stopping took too long'));
      expect(late.map((l) => l.step)).toContain('the delivery worker');
      await expect(running.runtime.db.query('SELECT 1')).rejects.toThrow(/after calling end on the pool/);
    } finally {
      await own.stop();
    }
  });
});
