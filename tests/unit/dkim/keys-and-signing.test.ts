import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { dkimSignatureHeader } from '../../../src/delivery/dkim-sign.js';
import { dkimSelectorFor, dkimTxtValue, generateDkimKeyPair, type DkimKeyPair } from '../../../src/identity/dkim-keys.js';

const message = Buffer.from(
  'From: Van phong <vanphong@laocai.gov.vn>\r\nTo: <canbo@laocai.gov.vn>\r\nSubject: Thong bao\r\n' +
    'Date: Tue, 05 May 2026 08:00:00 +0700\r\nMessage-ID: <1@laocai.gov.vn>\r\n\r\nNoi dung.\r\n',
);

/** Tag list of a DKIM-Signature header (RFC 6376 §3.2), whitespace removed. */
const tags = (header: string) =>
  Object.fromEntries(
    header
      .replace(/^DKIM-Signature:/i, '')
      .replace(/\s+/g, '')
      .split(';')
      .filter(Boolean)
      .map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]),
  );

let rsa: DkimKeyPair;
let ed: DkimKeyPair;
beforeAll(async () => {
  [rsa, ed] = await Promise.all([
    generateDkimKeyPair('LaoCai.gov.vn', { now: new Date('2026-03-01T00:00:00Z') }),
    generateDkimKeyPair('laocai.gov.vn', { algorithm: 'ed25519', selector: 'ed2026' }),
  ]);
});

describe('DKIM keys', () => {
  it('names the selector after the year: hopthu2026', () => {
    expect(dkimSelectorFor(new Date('2026-12-31T23:00:00Z'))).toBe('hopthu2026');
    expect(rsa.selector).toBe('hopthu2026');
    expect(rsa.dnsName).toBe('hopthu2026._domainkey.laocai.gov.vn');
  });

  it('makes an RSA 2048 key whose TXT value carries the public key (RFC 6376 §3.6.1)', () => {
    const pub = createPublicKey(rsa.publicKeyPem);
    expect(pub.asymmetricKeyType).toBe('rsa');
    expect(pub.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(rsa.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const match = /^v=DKIM1; k=rsa; p=([A-Za-z0-9+/=]+)$/.exec(rsa.dnsTxt);
    expect(match).not.toBeNull();
    const fromDns = createPublicKey({ key: Buffer.from(match![1]!, 'base64'), format: 'der', type: 'spki' });
    expect(fromDns.equals(pub)).toBe(true);
  });

  it('publishes an ed25519 key as its bare 32 bytes (RFC 8463 §4.2)', () => {
    const match = /^v=DKIM1; k=ed25519; p=([A-Za-z0-9+/=]+)$/.exec(ed.dnsTxt);
    expect(Buffer.from(match![1]!, 'base64')).toHaveLength(32);
    expect(dkimTxtValue(ed.publicKeyPem)).toBe(ed.dnsTxt);
  });

  it('refuses a selector that is not a DNS label', async () => {
    await expect(generateDkimKeyPair('laocai.gov.vn', { selector: 'bad selector' })).rejects.toThrow(/selector/);
  });
});

describe('dkimSignatureHeader', () => {
  it('returns one relaxed/relaxed rsa-sha256 DKIM-Signature header ending in CRLF', async () => {
    const header = await dkimSignatureHeader(message, {
      domain: rsa.domain,
      selector: rsa.selector,
      privateKeyPem: rsa.privateKeyPem,
    }, { signTime: new Date('2026-05-05T01:00:00Z') });
    expect(header.startsWith('DKIM-Signature: ')).toBe(true);
    expect(header.endsWith('\r\n')).toBe(true);
    expect(header.match(/^DKIM-Signature:/gm)).toHaveLength(1);
    const t = tags(header);
    expect(t).toMatchObject({ v: '1', a: 'rsa-sha256', c: 'relaxed/relaxed', d: 'laocai.gov.vn', s: 'hopthu2026', t: '1777942800' });
    // RFC 6376 §5.4: From must be signed
    expect(t.h!.toLowerCase().split(':')).toEqual(expect.arrayContaining(['from', 'to', 'subject', 'date', 'message-id']));
  });

  it('signs with ed25519-sha256 when the key is ed25519', async () => {
    const header = await dkimSignatureHeader(message, { domain: ed.domain, selector: ed.selector, privateKeyPem: ed.privateKeyPem });
    expect(tags(header).a).toBe('ed25519-sha256');
  });

  it('computes the body hash of the relaxed body (RFC 6376 §3.4.4, §3.7)', async () => {
    const header = await dkimSignatureHeader(message, { domain: rsa.domain, selector: rsa.selector, privateKeyPem: rsa.privateKeyPem });
    expect(tags(header).bh).toBe(createHash('sha256').update('Noi dung.\r\n').digest('base64'));
  });

  it('refuses a key that is neither RSA nor Ed25519', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    await expect(dkimSignatureHeader(message, { domain: 'laocai.gov.vn', selector: 's', privateKeyPem: privateKey })).rejects.toThrow(/rsa or ed25519/);
  });
});
