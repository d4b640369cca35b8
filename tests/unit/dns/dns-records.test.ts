import { beforeAll, describe, expect, it } from 'vitest';
import { generateDkimKeyPair, type DkimKeyPair } from '../../../src/identity/dkim-keys.js';
import { dnsRecordsFor } from '../../../src/identity/dns-records.js';

let key: DkimKeyPair;
beforeAll(async () => {
  key = await generateDkimKeyPair('sotttt.laocai.gov.vn', { selector: 'hopthu2026' });
});

describe('dnsRecordsFor', () => {
  it('lists MX, SPF, DKIM and DMARC for the domain', () => {
    const { records } = dnsRecordsFor({
      domain: 'sotttt.laocai.gov.vn',
      mxHost: 'mail.laocai.gov.vn',
      dkimSelector: key.selector,
      dkimPublicKeyPem: key.publicKeyPem,
    });
    expect(records).toEqual([
      { purpose: 'mx', name: 'sotttt.laocai.gov.vn', type: 'MX', ttl: 3600, value: 'mail.laocai.gov.vn', priority: 10 },
      { purpose: 'spf', name: 'sotttt.laocai.gov.vn', type: 'TXT', ttl: 3600, value: 'v=spf1 mx -all' },
      { purpose: 'dkim', name: 'hopthu2026._domainkey.sotttt.laocai.gov.vn', type: 'TXT', ttl: 3600, value: key.dnsTxt },
      {
        purpose: 'dmarc',
        name: '_dmarc.sotttt.laocai.gov.vn',
        type: 'TXT',
        ttl: 3600,
        value: 'v=DMARC1; p=quarantine; rua=mailto:postmaster@sotttt.laocai.gov.vn',
      },
    ]);
  });

  it('writes zone-file lines, splitting the DKIM key into 255-byte strings (RFC 1035 §3.3.14)', () => {
    const { zoneFile } = dnsRecordsFor({
      domain: 'sotttt.laocai.gov.vn',
      mxHost: 'mail.laocai.gov.vn',
      dkimSelector: key.selector,
      dkimPublicKeyPem: key.publicKeyPem,
    });
    const lines = zoneFile.trimEnd().split('\n');
    expect(lines[0]).toBe('sotttt.laocai.gov.vn. 3600 IN MX 10 mail.laocai.gov.vn.');
    expect(lines[1]).toBe('sotttt.laocai.gov.vn. 3600 IN TXT "v=spf1 mx -all"');
    const dkimLine = lines[2]!;
    expect(dkimLine.startsWith('hopthu2026._domainkey.sotttt.laocai.gov.vn. 3600 IN TXT "v=DKIM1; k=rsa; p=')).toBe(true);
    const strings = [...dkimLine.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
    expect(strings.length).toBeGreaterThan(1);
    expect(strings.every((s) => s.length <= 255)).toBe(true);
    expect(strings.join('')).toBe(key.dnsTxt);
    expect(lines[3]).toBe('_dmarc.sotttt.laocai.gov.vn. 3600 IN TXT "v=DMARC1; p=quarantine; rua=mailto:postmaster@sotttt.laocai.gov.vn"');
  });

  it('leaves DKIM out for a domain without a key, and writes IDN domains in ASCII', () => {
    const { records } = dnsRecordsFor({ domain: 'Bücher.example', mxHost: 'mail.laocai.gov.vn' });
    expect(records.map((r) => r.purpose)).toEqual(['mx', 'spf', 'dmarc']);
    expect(records[0]!.name).toBe('xn--bcher-kva.example');
  });

  it('adds the SRV records mail clients set themselves up from (RFC 6186, RFC 8314), implicit TLS first', () => {
    const { records, zoneFile } = dnsRecordsFor({
      domain: 'yenbai.gov.vn',
      mxHost: 'mail.yenbai.gov.vn',
      clientPorts: { submission: 587, submissions: 465, imap: 143, imaps: 993 },
    });
    expect(records.filter((r) => r.type === 'SRV').map((r) => [r.name, r.priority, r.port, r.value])).toEqual([
      ['_submissions._tcp.yenbai.gov.vn', 0, 465, 'mail.yenbai.gov.vn'],
      ['_submission._tcp.yenbai.gov.vn', 10, 587, 'mail.yenbai.gov.vn'],
      ['_imaps._tcp.yenbai.gov.vn', 0, 993, 'mail.yenbai.gov.vn'],
      ['_imap._tcp.yenbai.gov.vn', 10, 143, 'mail.yenbai.gov.vn'],
    ]);
    expect(zoneFile).toContain('_imaps._tcp.yenbai.gov.vn. 3600 IN SRV 0 1 993 mail.yenbai.gov.vn.\n');
  });
});
