import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolver, dnsFailureKind, type DnsResolver } from '../../../src/shared/dns.js';
import { startDnsServer, type TestDnsServer } from '../../support/dns-server.js';

let dns: TestDnsServer;
let resolver: DnsResolver;
const longText = `v=DKIM1; k=rsa; p=${'A'.repeat(400)}`;

beforeAll(async () => {
  dns = await startDnsServer({
    'hopthu.test': [
      { type: 'A', address: '192.0.2.1' },
      { type: 'AAAA', address: '2001:db8::1' },
      { type: 'MX', exchange: 'mx2.hopthu.test', priority: 20 },
      { type: 'MX', exchange: 'mx1.hopthu.test', priority: 10 },
      { type: 'TXT', text: 'v=spf1 mx -all' },
    ],
    'long.hopthu.test': [{ type: 'TXT', text: longText }],
    // more than 1232 bytes: the UDP answer is truncated and c-ares retries over TCP
    'many.hopthu.test': Array.from({ length: 12 }, (_, i) => ({ type: 'TXT' as const, text: `${i}:${'x'.repeat(200)}` })),
    '1.2.0.192.in-addr.arpa': [{ type: 'PTR', target: 'mail.hopthu.test' }],
    'www.hopthu.test': [{ type: 'CNAME', target: 'hopthu.test' }],
    'sub.empty.hopthu.test': [{ type: 'A', address: '192.0.2.9' }],
    'broken.hopthu.test': 'servfail',
    'silent.hopthu.test': 'drop',
  });
  resolver = createResolver({ servers: [dns.address], timeoutMs: 300 });
});
afterAll(() => dns.stop());

const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the lookup to fail');
    },
    (err: NodeJS.ErrnoException) => ({ code: err.code, kind: dnsFailureKind(err) }),
  );

describe('createResolver against the test DNS server', () => {
  it('resolves A, AAAA, MX, TXT, PTR and CNAME', async () => {
    expect(await resolver.resolve4('hopthu.test')).toEqual(['192.0.2.1']);
    expect(await resolver.resolve6('hopthu.test')).toEqual(['2001:db8::1']);
    expect((await resolver.resolveMx('hopthu.test')).sort((a, b) => a.priority - b.priority)).toEqual([
      { exchange: 'mx1.hopthu.test', priority: 10 },
      { exchange: 'mx2.hopthu.test', priority: 20 },
    ]);
    expect(await resolver.resolveTxt('hopthu.test')).toEqual([['v=spf1 mx -all']]);
    expect(await resolver.resolvePtr('1.2.0.192.in-addr.arpa')).toEqual(['mail.hopthu.test']);
    expect(await resolver.resolveCname('www.hopthu.test')).toEqual(['hopthu.test']);
  });

  it('follows a CNAME to the address (RFC 1034 §3.6.2)', async () => {
    expect(await resolver.resolve4('www.hopthu.test')).toEqual(['192.0.2.1']);
  });

  it('returns a TXT record over 255 bytes as 255-byte character-strings (RFC 1035 §3.3.14)', async () => {
    const [record] = await resolver.resolveTxt('long.hopthu.test');
    expect(record!.map((s) => s.length)).toEqual([255, longText.length - 255]);
    expect(record!.join('')).toBe(longText);
  });

  it('gets an answer too big for UDP over TCP (RFC 7766 §5)', async () => {
    expect(await resolver.resolveTxt('many.hopthu.test')).toHaveLength(12);
  });

  it('NXDOMAIN is ENOTFOUND, kind nxdomain', async () => {
    expect(await failureOf(resolver.resolve4('nobody.hopthu.test'))).toEqual({ code: 'ENOTFOUND', kind: 'nxdomain' });
  });

  it('a name without that type is ENODATA, kind nodata, also for a name that only has names below it', async () => {
    expect(await failureOf(resolver.resolveMx('long.hopthu.test'))).toEqual({ code: 'ENODATA', kind: 'nodata' });
    expect(await failureOf(resolver.resolve4('empty.hopthu.test'))).toEqual({ code: 'ENODATA', kind: 'nodata' });
  });

  it('SERVFAIL is ESERVFAIL, kind temporary', async () => {
    expect(await failureOf(resolver.resolveTxt('broken.hopthu.test'))).toEqual({ code: 'ESERVFAIL', kind: 'temporary' });
  });

  it('a server that never answers costs one short timeout, kind temporary', async () => {
    const quick = createResolver({ servers: [dns.address], timeoutMs: 100, tries: 1 });
    const started = Date.now();
    expect(await failureOf(quick.resolve4('silent.hopthu.test'))).toEqual({ code: 'ETIMEOUT', kind: 'temporary' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a stopped server is ECONNREFUSED, kind temporary', async () => {
    const gone = await startDnsServer({});
    await gone.stop();
    const lost = createResolver({ servers: [gone.address], timeoutMs: 300, tries: 1 });
    expect(await failureOf(lost.resolve4('hopthu.test'))).toMatchObject({ kind: 'temporary' });
  });

  it('sees a record changed with set() at once (TTL 0, nothing cached)', async () => {
    dns.set('moving.hopthu.test', [{ type: 'A', address: '192.0.2.50' }]);
    expect(await resolver.resolve4('moving.hopthu.test')).toEqual(['192.0.2.50']);
    dns.set('moving.hopthu.test', [{ type: 'A', address: '192.0.2.51' }]);
    expect(await resolver.resolve4('moving.hopthu.test')).toEqual(['192.0.2.51']);
    dns.remove('moving.hopthu.test');
    expect(await failureOf(resolver.resolve4('moving.hopthu.test'))).toMatchObject({ kind: 'nxdomain' });
  });

  it('refuses an empty server list and a bad server address', () => {
    expect(() => createResolver({ servers: [], timeoutMs: 100 })).toThrow(/at least one server/);
    expect(() => createResolver({ servers: ['not an address'], timeoutMs: 100 })).toThrow(/host:port/);
  });
});

describe('mailauthResolver', () => {
  it('answers in the shapes of node:dns resolve(name, rrtype)', async () => {
    const r = resolver.mailauthResolver;
    expect(await r('hopthu.test', 'TXT')).toEqual([['v=spf1 mx -all']]);
    expect(await r('hopthu.test', 'A')).toEqual(['192.0.2.1']);
    expect(await r('hopthu.test', 'AAAA')).toEqual(['2001:db8::1']);
    expect(await r('hopthu.test', 'MX')).toContainEqual({ exchange: 'mx1.hopthu.test', priority: 10 });
    expect(await r('1.2.0.192.in-addr.arpa', 'PTR')).toEqual(['mail.hopthu.test']);
  });

  it('keeps the codes mailauth reads: ENOTFOUND/ENODATA mean no record, others temperror', async () => {
    const r = resolver.mailauthResolver;
    expect(await failureOf(r('nobody.hopthu.test', 'TXT'))).toMatchObject({ code: 'ENOTFOUND' });
    expect(await failureOf(r('long.hopthu.test', 'MX'))).toMatchObject({ code: 'ENODATA' });
    expect(await failureOf(r('broken.hopthu.test', 'TXT'))).toMatchObject({ code: 'ESERVFAIL' });
  });
});

describe('answer cache', () => {
  it('keeps answers and definite negatives for cacheSeconds, but not temporary failures', async () => {
    const server = await startDnsServer({ 'cached.test': [{ type: 'TXT', text: 'v=spf1 -all' }], 'flaky.test': 'servfail' });
    const resolver = createResolver({ servers: [server.address], timeoutMs: 200, tries: 1, cacheSeconds: 60 });
    try {
      expect(await resolver.resolveTxt('cached.test')).toEqual([['v=spf1 -all']]);
      server.set('cached.test', [{ type: 'TXT', text: 'v=spf1 +all' }]);
      expect(await resolver.resolveTxt('CACHED.test')).toEqual([['v=spf1 -all']]);
      await expect(resolver.resolveTxt('nope.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
      server.set('nope.test', [{ type: 'TXT', text: 'now here' }]);
      await expect(resolver.resolveTxt('nope.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
      await expect(resolver.resolveTxt('flaky.test')).rejects.toMatchObject({ code: 'ESERVFAIL' });
      server.set('flaky.test', [{ type: 'TXT', text: 'recovered' }]);
      expect(await resolver.resolveTxt('flaky.test')).toEqual([['recovered']]);
    } finally {
      resolver.cancel();
      await server.stop();
    }
  });
});
