/**
 * The one DNS resolver hopthu uses: SPF/DKIM/DMARC checks, MX lookups for outbound
 * delivery, PTR checks. Built on node:dns/promises `Resolver` (c-ares) pointed at
 * explicit servers with a tight per-try timeout, so a dead resolver costs a bounded
 * delay and never hangs an SMTP session.
 *
 * Failures keep c-ares' error codes because mailauth depends on them:
 *   ENOTFOUND  the name does not exist (NXDOMAIN, RFC 1035 §4.1.1 RCODE 3)
 *   ENODATA    the name exists but has no record of that type (NOERROR, empty answer)
 *   anything else (ESERVFAIL, ETIMEOUT, ECONNREFUSED, EREFUSED, ...) is temporary;
 *   mailauth turns those into temperror (RFC 7208 §2.6.6, RFC 8601 §2.7.1).
 */
import { Resolver } from 'node:dns/promises';

export interface ResolverOptions {
  /** `host:port` or `host` (port 53); IPv6 as `[::1]:53`. Tried in order. */
  servers: readonly string[];
  /** Time each server gets on the first try; c-ares backs off on later tries. */
  timeoutMs: number;
  /** Attempts per server before giving up (default 2). */
  tries?: number;
  /**
   * Keep answers (records, no such name, no such record) this long; 0 keeps nothing.
   * Temporary failures are never kept. An MX answering thousands of messages from
   * one sender asks for its SPF, DKIM key and DMARC policy once, as a caching
   * resolver next to an MTA would.
   */
  cacheSeconds?: number;
}

export interface MxRecord {
  exchange: string;
  priority: number;
}

/** The `(name, rrtype)` function mailauth's `resolver` option calls (shapes as node:dns). */
export type MailauthResolver = (name: string, rrtype: string) => Promise<unknown[]>;

export interface DnsResolver {
  /** Each record is its character-strings; join them for the value (RFC 7208 §3.3). */
  resolveTxt(name: string): Promise<string[][]>;
  resolveMx(name: string): Promise<MxRecord[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
  resolvePtr(name: string): Promise<string[]>;
  resolveCname(name: string): Promise<string[]>;
  readonly mailauthResolver: MailauthResolver;
  /** Abort outstanding queries (they reject with ECANCELLED). */
  cancel(): void;
}

export type DnsFailureKind = 'nxdomain' | 'nodata' | 'temporary';

/** How a rejected lookup failed: no such name, no such record, or try again later. */
export function dnsFailureKind(err: unknown): DnsFailureKind {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOTFOUND') return 'nxdomain';
  if (code === 'ENODATA') return 'nodata';
  return 'temporary';
}

export function createResolver(options: ResolverOptions): DnsResolver {
  if (options.servers.length === 0) throw new Error('DNS resolver needs at least one server (host:port)');
  if (!(options.timeoutMs > 0)) throw new Error(`DNS timeoutMs must be positive, got ${options.timeoutMs}`);

  const resolver = new Resolver({ timeout: options.timeoutMs, tries: options.tries ?? 2 });
  try {
    resolver.setServers([...options.servers]);
  } catch (err) {
    throw new Error(`invalid DNS server list ${JSON.stringify(options.servers)}: expected host:port entries`, {
      cause: err,
    });
  }

  const cached = answerCache(options.cacheSeconds ?? 0);
  const dns: Omit<DnsResolver, 'mailauthResolver'> = {
    resolveTxt: (name) => cached('TXT', name, () => resolver.resolveTxt(name)),
    resolveMx: (name) => cached('MX', name, () => resolver.resolveMx(name)),
    resolve4: (name) => cached('A', name, () => resolver.resolve4(name)),
    resolve6: (name) => cached('AAAA', name, () => resolver.resolve6(name)),
    resolvePtr: (name) => cached('PTR', name, () => resolver.resolvePtr(name)),
    resolveCname: (name) => cached('CNAME', name, () => resolver.resolveCname(name)),
    cancel: () => resolver.cancel(),
  };

  const mailauthResolver: MailauthResolver = async (name, rrtype) => {
    switch (rrtype.toUpperCase()) {
      case 'TXT':
        return dns.resolveTxt(name);
      case 'MX':
        return dns.resolveMx(name);
      case 'A':
        return dns.resolve4(name);
      case 'AAAA':
        return dns.resolve6(name);
      case 'PTR':
        return dns.resolvePtr(name);
      case 'CNAME':
        return dns.resolveCname(name);
      default:
        throw Object.assign(new Error(`unsupported DNS record type ${rrtype}`), { code: 'ENOTIMP' });
    }
  };

  return { ...dns, mailauthResolver };
}

const MAX_CACHED_ANSWERS = 10_000;

/** Remembers answers and definite negatives for `seconds`; concurrent asks share one query. */
function answerCache(seconds: number) {
  const entries = new Map<string, { until: number; answer: Promise<unknown> }>();
  return <T>(type: string, name: string, ask: () => Promise<T>): Promise<T> => {
    if (seconds <= 0) return ask();
    const key = `${type} ${name.toLowerCase()}`;
    const now = Date.now();
    const hit = entries.get(key);
    if (hit && hit.until > now) return hit.answer as Promise<T>;
    if (entries.size >= MAX_CACHED_ANSWERS) entries.clear();
    const answer = ask();
    entries.set(key, { until: now + seconds * 1000, answer });
    // a temporary failure is forgotten at once, so the next message asks again
    answer.catch((err: unknown) => {
      if (dnsFailureKind(err) === 'temporary') entries.delete(key);
    });
    return answer;
  };
}
