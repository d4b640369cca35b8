import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import { dnsRecordsFor } from '../../../src/identity/dns-records.js';
import { mtaStsId, mtaStsPolicy } from '../../../src/client-setup/mta-sts.js';
import type { RunningServer } from '../../../src/cli/server.js';

let env: TestEnv;
let server: RunningServer;
let base: string;
/**
 * A GET as a client makes it, to the name it looked up (autoconfig.DOMAIN, mta-sts.DOMAIN):
 * node:http, because fetch will not send another Host header.
 */
const get = (path: string, host?: string) =>
  new Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>((resolve, reject) => {
    const req = http.get(`${base}${path}`, host ? { headers: { host } } : {}, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: { get: (n) => (res.headers[n.toLowerCase()] as string | undefined) ?? null }, text: async () => body });
      });
    });
    req.on('error', reject);
  });

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({ hostname: 'mail.yenbai.gov.vn', 'ports.imaps': 993, 'ports.submissions': 465, 'ports.imap': 143, 'ports.submission': 587 }, ['web']);
  base = `http://127.0.0.1:${server.ports.http}`;
  await addTestDomain(server.runtime.db, 'yenbai.gov.vn');
  await addTestAccount(server.runtime.db, server.runtime.config, 'annv@yenbai.gov.vn', { name: 'Nguyễn Văn An' });
});
afterAll(async () => {
  await env?.stop();
});

describe('mail clients set themselves up', () => {
  it('Thunderbird autoconfig, by address and by the autoconfig.DOMAIN host', async () => {
    for (const res of [await get('/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=annv%40yenbai.gov.vn'), await get('/mail/config-v1.1.xml', 'autoconfig.yenbai.gov.vn')]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
      const xml = await res.text();
      expect(xml).toContain('<emailProvider id="yenbai.gov.vn">');
      expect(xml).toMatch(/<incomingServer type="imap">\s*<hostname>mail\.yenbai\.gov\.vn<\/hostname>\s*<port>993<\/port>\s*<socketType>SSL<\/socketType>/);
      expect(xml).toMatch(/<outgoingServer type="smtp">\s*<hostname>mail\.yenbai\.gov\.vn<\/hostname>\s*<port>465<\/port>/);
      expect(xml).toMatch(/<port>587<\/port>\s*<socketType>STARTTLS<\/socketType>/);
      expect(xml).toContain('<username>%EMAILADDRESS%</username>');
    }
    expect((await get('/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=x%40gmail.com')).status).toBe(404);
  });

  it('Outlook Autodiscover (POX)', async () => {
    const ask = (address: string) => fetch(`${base}/autodiscover/autodiscover.xml`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>${address}</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>`,
    });
    const res = await ask('AnNV@YenBai.gov.vn');
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).toContain('<DisplayName>Nguyễn Văn An</DisplayName>');
    expect(xml).toMatch(/<Type>IMAP<\/Type>\s*<Server>mail\.yenbai\.gov\.vn<\/Server>\s*<Port>993<\/Port>\s*<LoginName>annv@yenbai\.gov\.vn<\/LoginName>/);
    expect(xml).toMatch(/<Type>SMTP<\/Type>[\s\S]*<Port>465<\/Port>/);
    expect((await ask('khongco@yenbai.gov.vn')).status).toBe(404);
    const bad = await fetch(`${base}/Autodiscover/Autodiscover.xml`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<Autodiscover/>' });
    expect(bad.status).toBe(400);
  });

  it('an Apple configuration profile for one address, without the password', async () => {
    const res = await get('/.well-known/apple-mail.mobileconfig?address=annv@yenbai.gov.vn');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-apple-aspen-config');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="yenbai.gov.vn.mobileconfig"');
    const plist = await res.text();
    expect(plist).toContain('<string>com.apple.mail.managed</string>');
    expect(plist).toMatch(/<key>IncomingMailServerPortNumber<\/key>\s*<integer>993<\/integer>/);
    expect(plist).toMatch(/<key>EmailAccountName<\/key>\s*<string>Nguyễn Văn An<\/string>/);
    expect(plist).not.toMatch(/Password<\/key>\s*<string>/);
    // the same profile twice has the same UUIDs, so a device replaces it instead of adding another
    expect(await (await get('/.well-known/apple-mail.mobileconfig?address=annv@yenbai.gov.vn')).text()).toBe(plist);
    expect((await get('/.well-known/apple-mail.mobileconfig?address=khongco@yenbai.gov.vn')).status).toBe(404);
  });

  it('the MTA-STS policy on mta-sts.DOMAIN, matching the id hopthu dns publishes', async () => {
    const res = await get('/.well-known/mta-sts.txt', 'mta-sts.yenbai.gov.vn');
    expect(res.status).toBe(200);
    const policy = await res.text();
    expect(policy).toBe('version: STSv1\r\nmode: testing\r\nmx: mail.yenbai.gov.vn\r\nmax_age: 604800\r\n');
    expect((await get('/.well-known/mta-sts.txt', 'mta-sts.example.com')).status).toBe(404);
    const { records } = dnsRecordsFor({ domain: 'yenbai.gov.vn', mxHost: 'mail.yenbai.gov.vn', web: { mtaStsId: mtaStsId(mtaStsPolicy('mail.yenbai.gov.vn', 'testing', 604800)) } });
    expect(records.find((r) => r.name === '_mta-sts.yenbai.gov.vn')!.value).toBe(`v=STSv1; id=${mtaStsId(policy)}`);
    expect(records.find((r) => r.name === '_smtp._tls.yenbai.gov.vn')!.value).toBe('v=TLSRPTv1; rua=mailto:postmaster@yenbai.gov.vn');
    expect(records.find((r) => r.name === 'autoconfig.yenbai.gov.vn')).toMatchObject({ type: 'CNAME', value: 'mail.yenbai.gov.vn' });
  });
});
