import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.js';
import { livePid, stopPid, untilReady } from './process-file.js';

export interface EmbeddedRedis {
  /** redis+unix URL understood by hopthu's Redis client factory */
  url: string;
  owned: boolean;
  /** the redis-server process */
  pid: number;
  stop(): Promise<void>;
}

export interface EmbeddedRedisOptions {
  dir: string;
  log: Logger;
  /** also listen on 127.0.0.1 on this TCP port; default: Unix socket only */
  tcpPort?: number;
  /** append-only persistence (the default); throwaway test servers may turn it off */
  appendOnly?: boolean;
  /** start as a replica of this master (test set-ups of Redis behind Sentinel) */
  replicaOf?: { host: string; port: number };
  adoptRunning?: boolean;
}

export const INSTALL_REDIS_HINT =
  'redis-server was not found on PATH. Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; Fedora: sudo dnf install redis; macOS: brew install redis) or set REDIS_URL to an existing Redis.';

export function findRedisServer(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts redis-server as a child with the settings a mail queue needs: append-only
 * persistence fsynced every second and no eviction (a queue must never lose keys to
 * memory pressure). It listens on a Unix socket inside `dir`.
 */
export async function startEmbeddedRedis(options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const { dir, log } = options;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const socket = path.join(dir, 'redis.sock');
  const pidFile = path.join(dir, 'redis.pid');
  const url = `redis+unix://${socket}`;

  const running = livePid(pidFile);
  if (running) {
    log.info({ pid: running, dir }, 'using the embedded Redis already running');
    await waitUntilReady(socket, 10_000);
    return { url, owned: Boolean(options.adoptRunning), pid: running, stop: options.adoptRunning ? () => stopPid(running, 'SIGTERM', 10_000) : async () => {} };
  }

  const binary = findRedisServer();
  if (!binary) throw new Error(INSTALL_REDIS_HINT);
  const appendOnly = options.appendOnly ?? true;
  const args = [
    '--port', String(options.tcpPort ?? 0),
    '--bind', '127.0.0.1',
    '--unixsocket', socket,
    '--unixsocketperm', '700',
    '--dir', dir,
    '--pidfile', pidFile,
    '--daemonize', 'no',
    '--appendonly', appendOnly ? 'yes' : 'no',
    '--appendfsync', 'everysec',
    '--save', '',
    '--maxmemory-policy', 'noeviction',
    '--loglevel', 'warning',
    ...(options.replicaOf ? ['--replicaof', options.replicaOf.host, String(options.replicaOf.port)] : []),
  ];
  const child = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let lastOutput = '';
  const onOutput = (chunk: Buffer) => {
    lastOutput = chunk.toString('utf8').trim();
    log.debug({ redis: lastOutput }, 'redis');
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  await untilReady(child, waitUntilReady(socket, 30_000), 'redis-server', () => lastOutput);
  log.info({ dir, pid: child.pid }, 'embedded Redis started');
  return {
    url,
    owned: true,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      await stopPid(child.pid, 'SIGTERM', 10_000); // redis flushes the append-only file on SIGTERM
    },
  };
}

async function waitUntilReady(socket: string, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < until) {
    const client = new Redis({ path: socket, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      const reply = await client.ping();
      client.disconnect();
      if (reply === 'PONG') return;
    } catch (err) {
      lastError = err;
      client.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not become ready: ${(lastError as Error)?.message}`);
}

