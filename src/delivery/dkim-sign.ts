/**
 * DKIM-sign an outbound message with its sender domain's key (RFC 6376 §5).
 * Returns the header to prepend; the message itself is not copied or changed.
 */
import { createPrivateKey } from 'node:crypto';
import mailauth from '../shared/mailauth.js';

export interface DkimSigningKey {
  /** d= (RFC 6376 §3.5): the domain that takes responsibility for the message. */
  domain: string;
  /** s= (RFC 6376 §3.1). */
  selector: string;
  privateKeyPem: string;
}

export async function dkimSignatureHeader(
  message: Buffer,
  key: DkimSigningKey,
  options: { signTime?: Date } = {},
): Promise<string> {
  const keyType = createPrivateKey(key.privateKeyPem).asymmetricKeyType;
  // RFC 8301 §3.1 / RFC 8463 §3: rsa-sha256 or ed25519-sha256, never sha1
  const algorithm = keyType === 'ed25519' ? 'ed25519-sha256' : keyType === 'rsa' ? 'rsa-sha256' : undefined;
  if (!algorithm) throw new Error(`DKIM key for ${key.domain} is ${keyType}, expected rsa or ed25519`);

  const result = await mailauth.dkimSign(message, {
    signatureData: [
      {
        signingDomain: key.domain,
        selector: key.selector,
        privateKey: key.privateKeyPem,
        algorithm,
        // RFC 6376 §3.4.2/§3.4.4: relaxed canonicalization survives header refolding
        // and trailing-whitespace changes made by relays
        canonicalization: 'relaxed/relaxed',
      },
    ],
    // mailauth's default header list: From (RFC 6376 §5.4 requires it), Subject, Date,
    // To, Cc, Message-ID, MIME headers, Reply-To, References, List-* ...
    signTime: options.signTime ?? new Date(),
  } as Parameters<typeof mailauth.dkimSign>[1]);

  const failure = result.errors[0] as unknown as { err?: Error } | undefined;
  if (failure) throw new Error(`DKIM signing for ${key.domain} failed: ${failure.err?.message ?? 'unknown error'}`);
  if (!result.signatures.trim()) throw new Error(`DKIM signing for ${key.domain} produced no signature`);
  return result.signatures;
}
