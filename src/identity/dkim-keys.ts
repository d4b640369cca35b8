/**
 * DKIM key pairs for a domain: the private key hopthu signs with and the TXT record
 * the administrator publishes at `<selector>._domainkey.<domain>`.
 */
import { createPublicKey, generateKeyPair } from 'node:crypto';
import { domainToASCII } from 'node:url';

export type DkimAlgorithm = 'rsa' | 'ed25519';

export interface DkimKeyPair {
  domain: string;
  selector: string;
  algorithm: DkimAlgorithm;
  /** PKCS#8 PEM; a secret, never logged. */
  privateKeyPem: string;
  /** SubjectPublicKeyInfo PEM. */
  publicKeyPem: string;
  /** Where the key is published: `<selector>._domainkey.<domain>` (RFC 6376 §3.6.2.1). */
  dnsName: string;
  /** The TXT value, e.g. `v=DKIM1; k=rsa; p=MIIB...`. */
  dnsTxt: string;
}

// RFC 8301 §3.2: RSA keys for signing MUST be at least 1024 bits and SHOULD be 2048
const RSA_BITS = 2048;

/** A date-based selector such as `hopthu2026`, so a yearly rotation gets a fresh name. */
export function dkimSelectorFor(date: Date = new Date()): string {
  return `hopthu${date.getUTCFullYear()}`;
}

/** The `p=` value and key type of a public key, as published in DNS. */
export function dkimTxtValue(publicKeyPem: string): string {
  const key = createPublicKey(publicKeyPem);
  const spki = key.export({ type: 'spki', format: 'der' });
  switch (key.asymmetricKeyType) {
    case 'rsa':
      // RFC 6376 §3.6.1: p= is the base64 of the DER SubjectPublicKeyInfo for RSA
      return `v=DKIM1; k=rsa; p=${spki.toString('base64')}`;
    case 'ed25519':
      // RFC 8463 §4.2: p= is the bare 32-byte Ed25519 key, not the SPKI wrapping
      return `v=DKIM1; k=ed25519; p=${spki.subarray(spki.length - 32).toString('base64')}`;
    default:
      throw new Error(`DKIM keys are rsa or ed25519, not ${key.asymmetricKeyType}`);
  }
}

export async function generateDkimKeyPair(
  domain: string,
  options: { algorithm?: DkimAlgorithm; selector?: string; now?: Date } = {},
): Promise<DkimKeyPair> {
  const algorithm = options.algorithm ?? 'rsa';
  const selector = options.selector ?? dkimSelectorFor(options.now);
  const asciiDomain = domainToASCII(domain.toLowerCase());
  if (!asciiDomain) throw new Error(`not a valid domain name: ${domain}`);
  // RFC 6376 §3.1: a selector is one or more dot-separated sub-domain labels
  if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/i.test(selector)) {
    throw new Error(`not a valid DKIM selector: ${selector}`);
  }

  const { publicKey, privateKey } = await generatePemKeyPair(algorithm);

  return {
    domain: asciiDomain,
    selector,
    algorithm,
    privateKeyPem: privateKey,
    publicKeyPem: publicKey,
    dnsName: `${selector}._domainkey.${asciiDomain}`,
    dnsTxt: dkimTxtValue(publicKey),
  };
}

/** Generated off the main thread: an RSA 2048 key takes long enough to stall a request. */
function generatePemKeyPair(algorithm: DkimAlgorithm): Promise<{ publicKey: string; privateKey: string }> {
  const publicKeyEncoding = { type: 'spki', format: 'pem' } as const;
  const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const;
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: string, privateKey: string) =>
      err ? reject(err) : resolve({ publicKey, privateKey });
    if (algorithm === 'rsa') {
      generateKeyPair('rsa', { modulusLength: RSA_BITS, publicKeyEncoding, privateKeyEncoding }, done);
    } else {
      generateKeyPair('ed25519', { publicKeyEncoding, privateKeyEncoding }, done);
    }
  });
}
