/**
 * The load generator: `connections` SMTP connections, each a nodemailer pooled transport
 * of one connection that carries message after message (as an MTA's connection cache
 * does). Closed loop: a connection sends its next message when the previous one got
 * its answer. A temporary refusal (4xx, dropped connection) is retried after a second,
 * as a real MTA would retry (later); a permanent one (5xx) is counted and not retried.
 */
import nodemailer from 'nodemailer';
import type { BenchMessages } from './messages.js';

export interface LoadTarget {
  port: number;
  tls: boolean;
  helo: string;
  mailFrom: string;
  recipient: (i: number) => string;
}

export interface LoadResult {
  /** performance.now() of the first send and of the last 250 */
  started: number;
  finished: number;
  /** per message: first attempt and final 250, performance.now(); NaN when it never got one */
  sentAt: Float64Array;
  acceptedAt: Float64Array;
  accepted: number;
  retries: number;
  refused: number;
  /** distinct error texts and how often each was seen */
  errors: Map<string, number>;
}

const MAX_ATTEMPTS = 30;

/** Starts sending; `live` fills in as answers come, `done` resolves when every message has its answer. */
export function startLoad(target: LoadTarget, messages: BenchMessages, connections: number): { live: LoadResult; done: Promise<LoadResult> } {
  const n = messages.count;
  const result: LoadResult = {
    started: NaN, finished: NaN, sentAt: new Float64Array(n).fill(NaN), acceptedAt: new Float64Array(n).fill(NaN),
    accepted: 0, retries: 0, refused: 0, errors: new Map(),
  };
  const transports = Array.from({ length: connections }, () =>
    nodemailer.createTransport({
      host: '127.0.0.1',
      port: target.port,
      name: target.helo,
      pool: true,
      maxConnections: 1,
      maxMessages: Infinity,
      ...(target.tls ? { requireTLS: true, tls: { rejectUnauthorized: false } } : { ignoreTLS: true }),
    }),
  );
  let next = 0;
  const noteError = (err: unknown) => {
    const e = err as { responseCode?: number; code?: string; message?: string };
    const text = `${e.responseCode ?? e.code ?? ''} ${(e.message ?? String(err)).slice(0, 160)}`.trim();
    result.errors.set(text, (result.errors.get(text) ?? 0) + 1);
  };

  const worker = async (transport: (typeof transports)[number]) => {
    while (next < n) {
      const i = next++;
      const first = performance.now();
      if (Number.isNaN(result.started)) result.started = first;
      result.sentAt[i] = first;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        try {
          await transport.sendMail({ envelope: { from: target.mailFrom, to: [target.recipient(i)] }, raw: messages.raw(i, Date.now()) });
          result.acceptedAt[i] = performance.now();
          result.accepted++;
          break;
        } catch (err) {
          noteError(err);
          const code = (err as { responseCode?: number }).responseCode;
          if (code !== undefined && code >= 500) {
            result.refused++;
            break;
          }
          result.retries++;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    }
  };

  const done = Promise.all(transports.map(worker))
    .finally(() => {
      for (const t of transports) t.close();
    })
    .then(() => {
      result.finished = result.acceptedAt.reduce((m, t) => (Number.isNaN(t) ? m : Math.max(m, t)), result.started);
      return result;
    });
  return { live: result, done };
}
