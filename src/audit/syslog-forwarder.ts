import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { Db } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import { AUDIT_COLUMNS, toStoredEvent, type AuditRow } from './events.js';
import { formatSyslogMessage, frameOctetCounted } from './syslog-message.js';
import { waitForFlush } from '../store/wal-flush.js';

export interface SyslogTarget {
  host: string;
  port: number;
  /** TLS (RFC 5425) instead of plain TCP */
  tls: boolean;
  /** PEM file of the CA that signed the receiver's certificate; the system's CAs otherwise */
  caFile?: string | undefined;
}

export interface SyslogForwarderOptions {
  db: Db;
  log: Logger;
  target: SyslogTarget;
  /** this server's name, the messages' HOSTNAME */
  hostname: string;
  /** the position's name in audit_forwarding (default 'syslog') */
  name?: string;
  /** how often to look for new events when idle (default 1000 ms) */
  pollMs?: number;
  /** reconnect back-off: first wait, doubling up to the last (default 1 s to 60 s) */
  retryMs?: { min: number; max: number };
  batch?: number;
}

export interface SyslogForwarder {
  /** the id of the last event handed to the receiver */
  readonly forwardedThrough: number;
  /** finishes the batch in flight, records its position, and disconnects */
  stop(): Promise<void>;
}

/** the receiver failed (as opposed to the database): retry with back-off */
class ReceiverError extends Error {}

const CONNECT_TIMEOUT_MS = 15_000;

/** one forwarder per position across every process: a session advisory lock */
const FORWARDER_LOCK = 4_242_010;

/**
 * Forwards committed audit events, in id order, to a syslog receiver over TCP or TLS:
 * RFC 5424 messages in RFC 6587 octet-counted frames. The position (the last event id
 * written to the receiver) is kept in audit_forwarding and moved after every batch, so a
 * restart resumes where the last one stopped. Event ids ascend in commit order (the chain
 * head, migration 009), so an event committed late is never behind the position. While
 * the receiver is down the forwarder retries with growing waits and loses nothing; a
 * batch being written when a connection breaks is written again.
 */
export function startSyslogForwarder(options: SyslogForwarderOptions): SyslogForwarder {
  const { db, log, target } = options;
  const name = options.name ?? 'syslog';
  const pollMs = options.pollMs ?? 1000;
  const retry = options.retryMs ?? { min: 1000, max: 60_000 };
  const batchSize = options.batch ?? 500;
  const stopping = new AbortController();
  let forwardedThrough = 0;
  let wait = retry.min;
  let current: net.Socket | undefined;

  const pause = (ms: number) => sleep(ms, undefined, { signal: stopping.signal }).catch(() => {});

  async function connect(): Promise<net.Socket> {
    const socket = target.tls
      ? tls.connect({ host: target.host, port: target.port, servername: net.isIP(target.host) ? undefined : target.host, ...(target.caFile ? { ca: readFileSync(target.caFile) } : {}) })
      : net.connect({ host: target.host, port: target.port });
    current = socket;
    socket.setTimeout(CONNECT_TIMEOUT_MS);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once(target.tls ? 'secureConnect' : 'connect', resolve);
        socket.once('error', reject);
        socket.once('timeout', () => reject(new Error(`no connection within ${CONNECT_TIMEOUT_MS / 1000} s`)));
        socket.once('close', () => reject(new Error('the connection closed while opening')));
      });
    } catch (err) {
      socket.destroy();
      throw new ReceiverError((err as Error).message);
    }
    socket.setTimeout(0);
    socket.setKeepAlive(true, 30_000);
    return socket;
  }

  /** forwards until the connection or the database fails, or stop() */
  async function session(client: pg.PoolClient) {
    const socket = await connect();
    let broken: Error | undefined;
    socket.on('error', (err) => (broken ??= new ReceiverError(err.message)));
    socket.on('close', () => (broken ??= new ReceiverError('the receiver closed the connection')));
    // a receiver sends nothing in RFC 6587; anything it sends is read and dropped
    socket.resume();
    log.info({ host: target.host, port: target.port, tls: target.tls, from: forwardedThrough }, 'audit syslog forwarding connected');
    wait = retry.min;
    try {
      while (!stopping.signal.aborted) {
        if (broken) throw broken;
        const { rows } = await client.query<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE id > $1 ORDER BY id LIMIT $2`, [forwardedThrough, batchSize]);
        if (rows.length === 0) {
          await pause(pollMs);
          continue;
        }
        // events appended on their own commit before their fsync (appender.ts): send only what a crash cannot take back
        await waitForFlush(client);
        const frames = Buffer.concat(rows.map((r) => frameOctetCounted(formatSyslogMessage(toStoredEvent(r), options.hostname))));
        await new Promise<void>((resolve, reject) => socket.write(frames, (err) => (err ? reject(new ReceiverError(err.message)) : resolve())));
        if (broken) throw broken;
        const last = rows[rows.length - 1]!.id;
        await client.query('UPDATE audit_forwarding SET last_id = $2, updated_at = now() WHERE name = $1', [name, last]);
        forwardedThrough = last;
      }
    } finally {
      socket.end();
      socket.destroy();
    }
  }

  const running = (async () => {
    while (!stopping.signal.aborted) {
      let client: pg.PoolClient | undefined;
      let clientBroken = false;
      try {
        client = await db.connect();
        const locked = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [FORWARDER_LOCK, name])).rows[0]?.ok;
        if (!locked) {
          // another process forwards this position; take over if it stops
          client.release();
          client = undefined;
          await pause(Math.max(pollMs, 5000));
          continue;
        }
        await client.query('INSERT INTO audit_forwarding (name, last_id) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING', [name]);
        forwardedThrough = (await client.query<{ last_id: number }>('SELECT last_id FROM audit_forwarding WHERE name = $1', [name])).rows[0]!.last_id;
        while (!stopping.signal.aborted) {
          try {
            await session(client);
          } catch (err) {
            if (stopping.signal.aborted) break;
            if (!(err instanceof ReceiverError)) throw err; // the database: start over with a new connection
            log.warn({ err: (err as Error).message, host: target.host, port: target.port, retryInMs: wait }, 'audit syslog receiver unavailable; retrying');
            await pause(wait);
            wait = Math.min(wait * 2, retry.max);
          }
        }
      } catch (err) {
        clientBroken = true;
        if (!stopping.signal.aborted) {
          log.warn({ err: (err as Error).message, retryInMs: wait }, 'audit syslog forwarding: database error; retrying');
          await pause(wait);
          wait = Math.min(wait * 2, retry.max);
        }
      } finally {
        if (client) {
          await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [FORWARDER_LOCK, name]).catch(() => (clientBroken = true));
          client.release(clientBroken);
        }
      }
    }
  })();

  return {
    get forwardedThrough() {
      return forwardedThrough;
    },
    async stop() {
      stopping.abort();
      // a receiver that stopped reading must not hold the server's shutdown
      const timer = setTimeout(() => current?.destroy(), 5000);
      await running;
      clearTimeout(timer);
    },
  };
}
