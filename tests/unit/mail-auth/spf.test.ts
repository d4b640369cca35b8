import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolver, type DnsResolver } from '../../../src/shared/dns.js';
import { verifyInbound } from '../../../src/smtp/mail-auth.js';
import { startDnsServer, type TestDnsServer } from '../../support/dns-server.js';

const CLIENT_IP = '192.0.2.10';
const HOSTNAME = 'mx.hopthu.test';

const message = (from: string) =>
  Buffer.from(
    `From: <${from}>\r\nTo: <canbo@hopthu.test>\r\nSubject: SPF\r\nDate: Tue, 05 May 2026 08:00:00 +0700\r\n` +
      `Message-ID: <spf-${from}>\r\n\r\nXin chao.\r\n`,
  );

let dns: TestDnsServer;
let resolver: DnsResolver;

beforeAll(async () => {
  dns = await startDnsServer({
    'pass.test': [{ type: 'TXT', text: `v=spf1 ip4:${CLIENT_IP} -all` }],
    'fail.test': [{ type: 'TXT', text: 'v=spf1 ip4:198.51.100.1 -all' }],
    'softfail.test': [{ type: 'TXT', text: 'v=spf1 ip4:198.51.100.1 ~all' }],
    'neutral.test': [{ type: 'TXT', text: 'v=spf1 ?all' }],
    'temperror.test': 'servfail',
    'permerror.test': [{ type: 'TXT', text: `v=spf1 ip4:${CLIENT_IP} bogus:mechanism -all` }],
    'nospf.test': [{ type: 'TXT', text: 'google-site-verification=abc' }],
    // mx mechanism: RFC 7208 §5.4, through MX and A lookups
    'viamx.test': [
      { type: 'TXT', text: 'v=spf1 mx -all' },
      { type: 'MX', exchange: 'mail.viamx.test', priority: 10 },
    ],
    'mail.viamx.test': [{ type: 'A', address: CLIENT_IP }],
    'helo.test': [{ type: 'TXT', text: `v=spf1 ip4:${CLIENT_IP} -all` }],
  });
  resolver = createResolver({ servers: [dns.address], timeoutMs: 500 });
});
afterAll(() => dns.stop());

const check = (mailFrom: string, helo = 'client.example') =>
  verifyInbound({
    message: message(mailFrom || `postmaster@${helo}`),
    clientIp: CLIENT_IP,
    helo,
    mailFrom,
    hostname: HOSTNAME,
    resolver,
    rejectDmarcFailures: true,
  });

describe('SPF (RFC 7208 §2.6)', () => {
  it.each([
    ['pass', 'pass.test'],
    ['fail', 'fail.test'],
    ['softfail', 'softfail.test'],
    ['neutral', 'neutral.test'],
    ['none', 'nospf.test'],
    ['none', 'nxdomain.test'],
    ['pass', 'viamx.test'],
  ] as const)('spf=%s for mail from %s', async (expected, domain) => {
    const outcome = await check(`sender@${domain}`);
    expect(outcome.spf.result).toBe(expected);
    expect(outcome.spf.domain).toBe(domain);
    expect(outcome.authenticationResults).toMatch(new RegExp(`spf=${expected}\\b`));
  });

  it('spf=temperror when the DNS server answers SERVFAIL (RFC 7208 §2.6.6)', async () => {
    const outcome = await check('sender@temperror.test');
    expect(outcome.spf.result).toBe('temperror');
  });

  it('spf=permerror for a record with an unknown mechanism (RFC 7208 §2.6.7)', async () => {
    const outcome = await check('sender@permerror.test');
    expect(outcome.spf.result).toBe('permerror');
  });

  it('a null reverse-path is checked as postmaster@HELO (RFC 7208 §2.4)', async () => {
    const outcome = await check('', 'helo.test');
    expect(outcome.spf.result).toBe('pass');
    expect(outcome.spf.domain).toBe('helo.test');
  });
});
