import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { Readable } from 'node:stream';
import { dnsFailureKind } from '../shared/dns.js';
import type { DeliveryContext } from './context.js';
import type { RecipientOutcome } from './spool.js';

export interface OutboundMessage {
  mailFrom: string;
  recipients: string[];
  /** the bytes to send: signature headers first, then the stored message */
  content: () => Readable;
  size: number;
  envelopeId?: string | null;
  dsnRet?: string | null;
}

interface Hop {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
  tlsVerify: boolean;
}

type HopPlan = { hops: Hop[] } | { outcome: RecipientOutcome };

/** Where mail for `domain` goes: the smarthost, or the MX hosts in preference order. */
async function planHops(ctx: DeliveryContext, domain: string): Promise<HopPlan> {
  const smarthost = ctx.config.delivery.smarthost;
  if (smarthost) {
    const auth = smarthost.user ? { user: smarthost.user, pass: smarthost.password ?? '' } : undefined;
    return { hops: [{ host: smarthost.host, port: smarthost.port, secure: smarthost.secure, tlsVerify: smarthost.tlsVerify, ...(auth ? { auth } : {}) }] };
  }
  const port = ctx.config.delivery.mxPort;
  let exchanges: string[];
  try {
    const mx = await ctx.resolver.resolveMx(domain);
    // RFC 7505 §3: a single MX of "." means the domain accepts no mail
    if (mx.length === 1 && (mx[0]!.exchange === '' || mx[0]!.exchange === '.')) {
      return { outcome: { status: 'failed', code: '5.1.10', message: `${domain} accepts no mail (null MX)` } };
    }
    // RFC 5321 §5.1: lower preference first; equal preferences in random order
    exchanges = mx
      .map((r) => ({ ...r, tie: Math.random() }))
      .sort((a, b) => a.priority - b.priority || a.tie - b.tie)
      .map((r) => r.exchange);
  } catch (err) {
    const kind = dnsFailureKind(err);
    if (kind === 'nxdomain') return { outcome: { status: 'failed', code: '5.1.2', message: `the domain ${domain} does not exist` } };
    if (kind === 'temporary') return { outcome: { status: 'deferred', code: '4.4.3', message: `DNS lookup of ${domain} failed for now` } };
    // RFC 5321 §5.1: no MX records: the domain itself is the implicit MX
    exchanges = [domain];
  }
  const hops: Hop[] = [];
  for (const host of exchanges) {
    const addresses = await ctx.resolver.resolve4(host).catch(() => [] as string[]);
    for (const address of addresses) hops.push({ host: address, port, secure: false, tlsVerify: false });
  }
  if (hops.length === 0) return { outcome: { status: 'deferred', code: '4.4.4', message: `no address found for the mail servers of ${domain}` } };
  return { hops };
}

/**
 * Sends one message to the recipients of one domain. Returns an outcome per recipient:
 * 2xx delivered, 5xx failed, anything else (no connection, 4xx, timeouts) deferred.
 */
export async function deliverRemote(ctx: DeliveryContext, domain: string, message: OutboundMessage): Promise<Map<string, RecipientOutcome>> {
  const all = (o: RecipientOutcome) => new Map(message.recipients.map((r) => [r, o]));
  const plan = await planHops(ctx, domain);
  if ('outcome' in plan) return all(plan.outcome);
  let last: RecipientOutcome = { status: 'deferred', code: '4.4.1', message: `no mail server of ${domain} answered` };
  for (const hop of plan.hops) {
    const result = await sendVia(ctx, hop, message).catch((err: SmtpError) => {
      last = outcomeOfError(err, hop.host);
      return undefined;
    });
    if (result) return result;
    // RFC 5321 §5.1: a 5xx from one MX is final; only connection trouble tries the next
    if (last.status === 'failed') return all(last);
  }
  return all(last);
}

interface SmtpError extends Error {
  responseCode?: number;
  response?: string;
  code?: string;
}

function enhancedOf(response: string | undefined, fallback: string): string {
  const m = /^\d{3}[ -](\d\.\d{1,3}\.\d{1,3})\b/.exec(response ?? '');
  return m?.[1] ?? fallback;
}

function outcomeOfError(err: SmtpError, host: string): RecipientOutcome {
  const code = err.responseCode;
  const text = (err.response ?? err.message).slice(0, 500);
  if (code && code >= 500) return { status: 'failed', code: enhancedOf(err.response, '5.0.0'), message: text, remoteMta: host };
  if (code && code >= 400) return { status: 'deferred', code: enhancedOf(err.response, '4.0.0'), message: text, remoteMta: host };
  // RFC 3463 §3.5: X.4.1 no answer from host, X.4.7 delivery time expired
  return { status: 'deferred', code: '4.4.1', message: `${host}: ${err.message}`, remoteMta: host };
}

async function sendVia(ctx: DeliveryContext, hop: Hop, message: OutboundMessage): Promise<Map<string, RecipientOutcome>> {
  const connection = new SMTPConnection({
    host: hop.host,
    port: hop.port,
    secure: hop.secure,
    name: ctx.config.hostname,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 5 * 60_000,
    // STARTTLS whenever offered; MX certificates are not verified (RFC 7435 opportunistic security)
    tls: { rejectUnauthorized: hop.tlsVerify },
    allowInternalNetworkInterfaces: true,
  });
  // a socket error (a refused connection above all) is only an 'error' event: the pending
  // callback is never called, so the step waiting for it is failed here, or it would wait forever
  let broken: Error | undefined;
  const pending = new Set<(err: Error) => void>();
  connection.on('error', (err: Error) => {
    broken ??= err;
    for (const fail of pending) fail(err);
  });
  const call = <T>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void) =>
    new Promise<T>((resolve, reject) => {
      if (broken) return reject(broken);
      pending.add(reject);
      fn((err, value) => {
        pending.delete(reject);
        if (err) reject(err);
        else resolve(value as T);
      });
    });
  try {
    await call<void>((cb) => connection.connect((err) => cb(err ?? null)));
    if (hop.auth) await call<boolean>((cb) => connection.login({ user: hop.auth!.user, pass: hop.auth!.pass }, cb as never));
    const info = await call<{ accepted: string[]; rejected: string[]; rejectedErrors?: SmtpError[]; response: string }>((cb) =>
      connection.send(
        {
          from: message.mailFrom,
          to: message.recipients,
          size: message.size,
          dsn: { ret: message.dsnRet ?? null, envid: message.envelopeId ?? null },
        } as never,
        message.content() as never,
        cb as never,
      ),
    );
    const out = new Map<string, RecipientOutcome>();
    for (const r of info.accepted) out.set(r, { status: 'delivered', code: enhancedOf(info.response, '2.0.0'), message: info.response.slice(0, 500), remoteMta: hop.host });
    for (const err of info.rejectedErrors ?? []) {
      const rcpt = (err as SmtpError & { recipient?: string }).recipient;
      if (rcpt) out.set(rcpt, outcomeOfError(err, hop.host));
    }
    for (const r of message.recipients) if (!out.has(r)) out.set(r, { status: 'deferred', code: '4.0.0', message: 'no answer for this recipient', remoteMta: hop.host });
    return out;
  } catch (err) {
    const e = err as SmtpError & { rejectedErrors?: SmtpError[] };
    // every recipient refused: nodemailer reports it as one error carrying each refusal
    if (e.rejectedErrors?.length) {
      const out = new Map<string, RecipientOutcome>();
      for (const re of e.rejectedErrors) {
        const rcpt = (re as SmtpError & { recipient?: string }).recipient;
        if (rcpt) out.set(rcpt, outcomeOfError(re, hop.host));
      }
      for (const r of message.recipients) if (!out.has(r)) out.set(r, outcomeOfError(e, hop.host));
      return out;
    }
    throw err;
  } finally {
    connection.quit();
    connection.close();
  }
}

export const readableOf = (parts: Array<Buffer | Readable>) =>
  Readable.from(
    (async function* () {
      for (const part of parts) {
        if (Buffer.isBuffer(part)) yield part;
        else for await (const chunk of part) yield chunk as Buffer;
      }
    })(),
  );
