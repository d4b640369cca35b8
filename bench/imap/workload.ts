/**
 * The mixed workload: `clients` connections, several per mailbox (as on a shared agency
 * mailbox, so each sees the others' changes), each looping for `seconds`:
 *   SELECT INBOX; UID FETCH of 50 (FLAGS ENVELOPE); UID FETCH of one BODY.PEEK[];
 *   UID STORE ±FLAGS (\Flagged); APPEND a new message; UID STORE +FLAGS.SILENT (\Deleted)
 *   and UID EXPUNGE of that message; IDLE for `idleMs`, DONE.
 * Each command is one operation. A NO/BAD, a missing answer or a broken connection is an
 * error (the client reconnects and goes on). Mailboxes keep their size: each loop
 * expunges what it appended. Connections come from 127.0.0.2.. (spread like real clients).
 */
import { percentile } from '../lib/report.js';
import { ImapClient } from './client.js';
import { makeMessage } from './messages.js';
import { loginCommand, type ImapServer, type ImapUser } from './server.js';

export const WORKLOAD_OPERATIONS = ['select', 'fetchRange', 'fetchBody', 'storeFlags', 'append', 'storeDeleted', 'expunge', 'idle'] as const;
export type WorkloadOperation = (typeof WORKLOAD_OPERATIONS)[number];

export interface WorkloadResult {
  operations: number;
  seconds: number;
  errors: number;
  /** error messages, counted */
  errorKinds: Record<string, number>;
  /** latency of every operation, ms */
  p50: number;
  p99: number;
  /** per operation: how many, and p50/p99 latency in ms */
  byOperation: Record<WorkloadOperation, { count: number; p50: number; p99: number }>;
}

export interface WorkloadOptions {
  clients: number;
  seconds: number;
  /** the mailboxes shared out between the clients, each holding `initial` messages (UIDs 1..initial) */
  mailboxes: ImapUser[];
  initial: number;
  idleMs: number;
  run: string;
  /** the source address of client k */
  sourceOf(k: number): string;
}

const random = (n: number) => Math.floor(Math.random() * n);

/** One window of the workload: what summarizeWorkload needs to add windows up. */
export interface WorkloadWindow {
  seconds: number;
  errorKinds: Record<string, number>;
  /** every operation's latency, ms, by operation */
  latencies: Record<WorkloadOperation, number[]>;
}

export async function runWorkload(server: ImapServer, o: WorkloadOptions): Promise<WorkloadWindow> {
  const latencies = Object.fromEntries(WORKLOAD_OPERATIONS.map((op) => [op, [] as number[]])) as Record<WorkloadOperation, number[]>;
  const errorKinds: Record<string, number> = {};
  const error = (what: string) => (errorKinds[what.slice(0, 160)] = (errorKinds[what.slice(0, 160)] ?? 0) + 1);
  let appended = 0;
  const started = performance.now();
  const deadline = started + o.seconds * 1000;

  const loop = async (k: number) => {
    const user = o.mailboxes[k % o.mailboxes.length]!;
    let client: ImapClient | undefined;
    while (performance.now() < deadline) {
      try {
        if (!client) {
          client = await ImapClient.connect({ port: server.imapPort, localAddress: o.sourceOf(k) });
          await client.ok(loginCommand(user));
        }
        const c = client;
        const op = async (name: WorkloadOperation, run: () => Promise<void>) => {
          const t = performance.now();
          await run();
          latencies[name].push(performance.now() - t);
        };
        await op('select', async () => void (await c.ok('SELECT INBOX')));
        await op('fetchRange', async () => {
          const from = 1 + random(o.initial - 49);
          const r = await c.ok(`UID FETCH ${from}:${from + 49} (FLAGS ENVELOPE)`);
          const n = r.untagged.filter((l) => / FETCH .*ENVELOPE/i.test(l)).length;
          if (n !== 50) throw new Error(`UID FETCH of 50 ENVELOPEs gave ${n}`);
        });
        await op('fetchBody', async () => {
          const r = await c.ok(`UID FETCH ${1 + random(o.initial)} BODY.PEEK[]`);
          if (!r.untagged.some((l) => /BODY\[\] \{\d+\}\r\n/i.test(l))) throw new Error('UID FETCH BODY.PEEK[] gave no body');
        });
        await op('storeFlags', async () => void (await c.ok(`UID STORE ${1 + random(o.initial)} ${random(2) ? '+' : '-'}FLAGS (\\Flagged)`)));
        let uid = 0;
        await op('append', async () => {
          const message = makeMessage(o.initial + 1_000_000 + appended++, user.user, `${o.run}w${k}`);
          const r = await c.ok(`APPEND INBOX (\\Seen) {${message.length}+}\r\n`, message);
          // RFC 4315 §3: [APPENDUID uidvalidity uid]
          uid = Number(/\[APPENDUID \d+ (\d+)\]/i.exec(r.text)?.[1] ?? 0);
          if (!uid) throw new Error(`APPEND answered without APPENDUID: ${r.text}`);
        });
        await op('storeDeleted', async () => void (await c.ok(`UID STORE ${uid} +FLAGS.SILENT (\\Deleted)`)));
        await op('expunge', async () => {
          const r = await c.ok(`UID EXPUNGE ${uid}`);
          if (!r.untagged.some((l) => /^\* (\d+ EXPUNGE|VANISHED)/i.test(l))) throw new Error('UID EXPUNGE of the appended message expunged nothing');
        });
        await op('idle', async () => {
          const r = await c.idle(o.idleMs);
          if (r.status !== 'OK') throw new Error(`IDLE → ${r.status} ${r.text}`);
        });
      } catch (err) {
        error((err as Error).message);
        client?.close();
        client = undefined;
      }
    }
    await client?.logout();
  };
  await Promise.all(Array.from({ length: o.clients }, (_, k) => loop(k)));
  return { seconds: (performance.now() - started) / 1000, errorKinds, latencies };
}

/** The windows of one server's workload as one result: operations and seconds added up, latencies over all. */
export function summarizeWorkload(windows: readonly WorkloadWindow[]): WorkloadResult {
  const latencies = Object.fromEntries(WORKLOAD_OPERATIONS.map((op) => [op, windows.flatMap((w) => w.latencies[op])])) as Record<WorkloadOperation, number[]>;
  const errorKinds: Record<string, number> = {};
  for (const w of windows) for (const [kind, n] of Object.entries(w.errorKinds)) errorKinds[kind] = (errorKinds[kind] ?? 0) + n;
  const byOperation = Object.fromEntries(
    WORKLOAD_OPERATIONS.map((op) => [op, { count: latencies[op].length, p50: percentile(latencies[op], 50), p99: percentile(latencies[op], 99) }]),
  ) as WorkloadResult['byOperation'];
  const operations = WORKLOAD_OPERATIONS.reduce((n, op) => n + latencies[op].length, 0);
  const all = WORKLOAD_OPERATIONS.flatMap((op) => latencies[op]);
  const seconds = windows.reduce((n, w) => n + w.seconds, 0);
  return { operations, seconds, p50: percentile(all, 50), p99: percentile(all, 99), errors: Object.values(errorKinds).reduce((a, b) => a + b, 0), errorKinds, byOperation };
}
