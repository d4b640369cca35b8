import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { silentLogger } from '../../src/shared/logger.js';
import { findRedisServer, startEmbeddedRedis, type EmbeddedRedis } from '../../src/store/embedded-redis.js';
import { stopPid, untilReady } from '../../src/store/process-file.js';
import { eventually } from './fixtures.js';
import { freePort } from './ports.js';

export const MASTER_NAME = 'mymaster';

export interface SentinelGroup {
  masterPort: number;
  replicaPort: number;
  /** the replica's redis-server (SIGSTOP holds its replication back) */
  replicaPid: number;
  sentinelPorts: number[];
  /** the master's address as the Sentinels report it now */
  currentMaster(): Promise<{ host: string; port: number } | undefined>;
  /** SIGKILL of the master redis-server: no goodbye to anyone */
  killMaster(): void;
  stop(): Promise<void>;
}

/**
 * A master redis-server, one replica of it and `sentinels` Sentinels watching them, all
 * on 127.0.0.1. The Sentinels call the master down after one second without an answer
 * and may fail over again after five, so a test sees a failover within a few seconds.
 */
export async function startSentinelGroup(dir: string, sentinels = 1): Promise<SentinelGroup> {
  const masterPort = await freePort();
  const replicaPort = await freePort();
  const servers: EmbeddedRedis[] = [];
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const c of children) if (c.exitCode === null && c.pid) await stopPid(c.pid, 'SIGTERM', 5000);
    for (const s of servers) await s.stop();
  };
  try {
    const master = await startEmbeddedRedis({ dir: path.join(dir, 'master'), log: silentLogger, tcpPort: masterPort });
    servers.push(master);
    const replica = await startEmbeddedRedis({ dir: path.join(dir, 'replica'), log: silentLogger, tcpPort: replicaPort, replicaOf: { host: '127.0.0.1', port: masterPort } });
    servers.push(replica);
    // a Sentinel learns the replicas from the master's INFO when it connects: the replica must be attached by then
    await until(async () => /master_link_status:up/.test(await oneShot(replicaPort, (r) => r.info('replication'))), 'the replica to attach to the master');
    const sentinelPorts: number[] = [];
    for (let i = 0; i < sentinels; i++) {
      const port = await freePort();
      children.push(await startSentinel(path.join(dir, `sentinel-${i}`), port, masterPort, Math.floor(sentinels / 2) + 1));
      sentinelPorts.push(port);
    }
    const currentMaster = async () => {
      const reply = await oneShot(sentinelPorts[0]!, (r) => r.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)).catch(() => null);
      return Array.isArray(reply) ? { host: String(reply[0]), port: Number(reply[1]) } : undefined;
    };
    // every Sentinel knows the replica (the candidate for promotion)
    for (const port of sentinelPorts) {
      await until(async () => {
        const replicas = await oneShot(port, (r) => r.call('SENTINEL', 'replicas', MASTER_NAME));
        return Array.isArray(replicas) && replicas.length > 0;
      }, 'the Sentinel to see the replica');
    }
    return {
      masterPort,
      replicaPort,
      replicaPid: replica.pid,
      sentinelPorts,
      currentMaster,
      killMaster: () => process.kill(master.pid, 'SIGKILL'),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startSentinel(dir: string, port: number, masterPort: number, quorum: number): Promise<ChildProcess> {
  mkdirSync(dir, { recursive: true });
  const conf = path.join(dir, 'sentinel.conf');
  // the Sentinel rewrites this file with what it learns (replicas, other Sentinels, failovers)
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      'daemonize no',
      `dir ${dir}`,
      `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} ${quorum}`,
      `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
      `sentinel failover-timeout ${MASTER_NAME} 5000`,
      `sentinel parallel-syncs ${MASTER_NAME} 1`,
      '',
    ].join('\n'),
  );
  const child = spawn(findRedisServer()!, [conf, '--sentinel'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let lastOutput = '';
  child.stdout!.on('data', (chunk: Buffer) => (lastOutput = chunk.toString('utf8').trim()));
  child.stderr!.on('data', (chunk: Buffer) => (lastOutput = chunk.toString('utf8').trim()));
  const answers = until(async () => (await oneShot(port, (r) => r.ping())) === 'PONG', 'the Sentinel to answer').then(() => {});
  await untilReady(child, answers, 'redis-server --sentinel', () => lastOutput);
  return child;
}

/** One command on a fresh connection to 127.0.0.1:port, which is then closed. */
async function oneShot<T>(port: number, command: (r: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return await command(client);
  } finally {
    client.disconnect();
  }
}

/** Polls `check` (errors count as not yet) until it holds. */
const until = (check: () => Promise<boolean>, what: string) => eventually(async () => ((await check()) ? true : undefined), 20_000, what);
