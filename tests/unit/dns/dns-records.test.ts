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
});
