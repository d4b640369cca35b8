import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dkimSignatureHeader } from '../../../src/delivery/dkim-sign.js';
import { generateDkimKeyPair, type DkimKeyPair } from '../../../src/identity/dkim-keys.js';
import { createResolver, type DnsResolver } from '../../../src/shared/dns.js';
import { verifyInbound, type InboundAuthInput } from '../../../src/smtp/mail-auth.js';
import { dkimKeyCacheActive, dkimKeyCacheStats } from '../../../src/shared/mailauth.js';
import { startDnsServer, type TestDnsServer } from '../../support/dns-server.js';

const CLIENT_IP = '192.0.2.10';
const HOSTNAME = 'mx.hopthu.test';

const message = (from: string, body = 'Kính gửi các đồng chí,\r\nXin gửi lịch họp tuần sau.\r\n') =>
  Buffer.from(
    `From: Văn phòng <${from}>\r\nTo: <canbo@hopthu.test>\r\nSubject: Lich hop\r\n` +
      `Date: Tue, 05 May 2026 08:00:00 +0700\r\nMessage-ID: <${Math.random()}@test>\r\n` +
      `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${body}`,
  );

let dns: TestDnsServer;
let resolver: DnsResolver;
let key: DkimKeyPair;
let edKey: DkimKeyPair;

beforeAll(async () => {
  [key, edKey] = await Promise.all([
    generateDkimKeyPair('signed.test', { selector: 'hopthu2026' }),
    generateDkimKeyPair('signed.test', { selector: 'ed2026', algorithm: 'ed25519' }),
  ]);
  dns = await startDnsServer({
    // the 2048-bit key's TXT is longer than 255 bytes: several character-strings
    [key.dnsName]: [{ type: 'TXT', text: key.dnsTxt }],
    [edKey.dnsName]: [{ type: 'TXT', text: edKey.dnsTxt }],
    'signed.test': [{ type: 'TXT', text: 'v=spf1 ip4:198.51.100.1 -all' }],
    '_dmarc.signed.test': [{ type: 'TXT', text: 'v=DMARC1; p=reject' }],
    'reject.test': [{ type: 'TXT', text: 'v=spf1 ip4:198.51.100.1 -all' }],
    '_dmarc.reject.test': [{ type: 'TXT', text: 'v=DMARC1; p=reject; rua=mailto:dmarc@reject.test' }],
    'quarantine.test': [{ type: 'TXT', text: 'v=spf1 -all' }],
    '_dmarc.quarantine.test': [{ type: 'TXT', text: 'v=DMARC1; p=quarantine' }],
    'spfonly.test': [{ type: 'TXT', text: `v=spf1 ip4:${CLIENT_IP} -all` }],
    '_dmarc.spfonly.test': [{ type: 'TXT', text: 'v=DMARC1; p=reject' }],
    '_dmarc.dnsdown.test': 'servfail',
  });
  resolver = createResolver({ servers: [dns.address], timeoutMs: 500 });
});
afterAll(() => dns.stop());

const verify = (raw: Buffer, mailFrom: string, overrides: Partial<InboundAuthInput> = {}) =>
  verifyInbound({
    message: raw,
    clientIp: CLIENT_IP,
    helo: 'client.example',
    mailFrom,
    hostname: HOSTNAME,
    resolver,
    rejectDmarcFailures: true,
    ...overrides,
  });

const signed = async (raw: Buffer, k: DkimKeyPair = key) =>
  Buffer.concat([Buffer.from(await dkimSignatureHeader(raw, k)), raw]);

describe('DKIM (RFC 6376 §6)', () => {
  it('dkim=pass for a message signed by dkim-sign.ts with the key published in DNS', async () => {
    const outcome = await verify(await signed(message('vanphong@signed.test')), 'bounce@other.test');
    expect(outcome.dkim).toEqual([expect.objectContaining({ result: 'pass', domain: 'signed.test', selector: 'hopthu2026', aligned: true })]);
    expect(outcome.authenticationResults).toMatch(/dkim=pass\b[^;]*header\.i=@signed\.test/);
  });

  it('dkim=pass for an ed25519-sha256 signature (RFC 8463)', async () => {
    const outcome = await verify(await signed(message('vanphong@signed.test'), edKey), 'bounce@other.test');
    expect(outcome.dkim[0]).toMatchObject({ result: 'pass', selector: 'ed2026' });
  });

  it('a modified body does not pass: dkim=neutral (body hash did not verify) (RFC 6376 §3.7)', async () => {
    const raw = await signed(message('vanphong@signed.test'));
    const tampered = Buffer.from(raw.toString().replace('tuần sau', 'tuần này'));
    const outcome = await verify(tampered, 'bounce@other.test');
    expect(outcome.dkim[0]).toMatchObject({ result: 'neutral', comment: 'body hash did not verify' });
  });

  it('a modified signed header fails: dkim=fail (bad signature)', async () => {
    const raw = await signed(message('vanphong@signed.test'));
    const tampered = Buffer.from(raw.toString().replace('Subject: Lich hop', 'Subject: Lich hop moi'));
    const outcome = await verify(tampered, 'bounce@other.test');
    expect(outcome.dkim[0]).toMatchObject({ result: 'fail' });
    expect(outcome.authenticationResults).toMatch(/dkim=fail\b/);
  });

  it('a published key is parsed once and reused while its record is unchanged; a rotated key is seen at once', async () => {
    expect(dkimKeyCacheActive).toBe(true);
    const [first, rotated] = await Promise.all([
      generateDkimKeyPair('signed.test', { selector: 'rotating', algorithm: 'ed25519' }),
      generateDkimKeyPair('signed.test', { selector: 'rotating', algorithm: 'ed25519' }),
    ]);
    dns.set(first.dnsName, [{ type: 'TXT', text: first.dnsTxt }]);
    const before = { ...dkimKeyCacheStats };
    for (let i = 0; i < 3; i++) {
      const outcome = await verify(await signed(message('vanphong@signed.test'), first), 'bounce@other.test');
      expect(outcome.dkim[0]).toMatchObject({ result: 'pass', selector: 'rotating' });
    }
    expect(dkimKeyCacheStats.misses - before.misses).toBe(1);
    expect(dkimKeyCacheStats.hits - before.hits).toBe(2);

    dns.set(first.dnsName, [{ type: 'TXT', text: rotated.dnsTxt }]);
    const old = await verify(await signed(message('vanphong@signed.test'), first), 'bounce@other.test');
    expect(old.dkim[0]).toMatchObject({ result: 'fail' });
    const fresh = await verify(await signed(message('vanphong@signed.test'), rotated), 'bounce@other.test');
    expect(fresh.dkim[0]).toMatchObject({ result: 'pass' });

    dns.set(first.dnsName, []);
    const withdrawn = await verify(await signed(message('vanphong@signed.test'), rotated), 'bounce@other.test');
    expect(withdrawn.dkim[0]?.result).not.toBe('pass');
  });

  it('an unsigned message has no DKIM results and arc=none', async () => {
    const outcome = await verify(message('a@spfonly.test'), 'a@spfonly.test');
    expect(outcome.dkim).toEqual([]);
    expect(outcome.arc.result).toBe('none');
  });
});

describe('DMARC (RFC 7489 §6.6)', () => {
  it('dmarc=pass through aligned DKIM even when SPF fails', async () => {
    const outcome = await verify(await signed(message('vanphong@signed.test')), 'vanphong@signed.test');
    expect(outcome.spf.result).toBe('fail');
    expect(outcome.dmarc).toMatchObject({ status: 'pass', domain: 'signed.test', policy: 'reject' });
    expect(outcome.reject).toBeUndefined();
  });

  it('dmarc=pass through aligned SPF without a signature', async () => {
    const outcome = await verify(message('a@spfonly.test'), 'a@spfonly.test');
    expect(outcome.dmarc.status).toBe('pass');
    expect(outcome.reject).toBeUndefined();
  });

  it('a failure under p=reject is refused with 550 5.7.1 when rejectDmarcFailures is on (§6.6.2, §10.3)', async () => {
    const outcome = await verify(message('giamdoc@reject.test'), 'giamdoc@reject.test');
    expect(outcome.dmarc).toMatchObject({ status: 'fail', policy: 'reject' });
    expect(outcome.reject).toEqual({ code: 550, enhanced: '5.7.1', message: expect.stringContaining('reject.test') });
  });

  it('the same failure is accepted when rejectDmarcFailures is off', async () => {
    const outcome = await verify(message('giamdoc@reject.test'), 'giamdoc@reject.test', { rejectDmarcFailures: false });
    expect(outcome.dmarc).toMatchObject({ status: 'fail', policy: 'reject' });
    expect(outcome.reject).toBeUndefined();
  });

  it('a failure under p=quarantine is not refused', async () => {
    const outcome = await verify(message('a@quarantine.test'), 'a@quarantine.test');
    expect(outcome.dmarc).toMatchObject({ status: 'fail', policy: 'quarantine' });
    expect(outcome.reject).toBeUndefined();
  });

  it('a DMARC record lookup that gets SERVFAIL is dmarc=temperror, not a refusal', async () => {
    const outcome = await verify(message('a@dnsdown.test'), 'a@dnsdown.test');
    expect(outcome.dmarc.status).toBe('temperror');
    expect(outcome.reject).toBeUndefined();
  });
});

describe('Authentication-Results (RFC 8601)', () => {
  it('names our host as authserv-id and carries each method, ready to prepend', async () => {
    const outcome = await verify(await signed(message('vanphong@signed.test')), 'vanphong@signed.test');
    const header = outcome.authenticationResults;
    expect(header.startsWith(`Authentication-Results: ${HOSTNAME};`)).toBe(true);
    expect(header.endsWith('\r\n')).toBe(true);
    expect(header).not.toMatch(/^Received-SPF/m);
    // RFC 8601 §2.2: resinfo = method "=" result, one per check, separated by ";"
    const methods = header.split(';').slice(1).map((resinfo) => resinfo.trim().split(/\s/)[0]);
    expect(methods).toEqual(['dkim=pass', 'spf=fail', 'dmarc=pass']);
    // every continuation line is folded with whitespace, so the header is one field
    expect(header.trimEnd().split('\r\n').slice(1).every((line) => /^[ \t]/.test(line))).toBe(true);
  });
});
