import { createHash } from 'node:crypto';

export type MtaStsMode = 'none' | 'testing' | 'enforce';

/**
 * RFC 8461 §3.2: the MTA-STS policy served at https://mta-sts.DOMAIN/.well-known/mta-sts.txt,
 * naming our MX host. Lines end with CRLF (§3.2: "each line ... CRLF", LF accepted).
 */
export function mtaStsPolicy(mxHost: string, mode: MtaStsMode, maxAgeSeconds: number): string {
  return [`version: STSv1`, `mode: ${mode}`, `mx: ${mxHost}`, `max_age: ${maxAgeSeconds}`].join('\r\n') + '\r\n';
}

/** RFC 8461 §3.1: the TXT record's id changes whenever the policy does; here, from the policy's own text. */
export const mtaStsId = (policy: string) => createHash('sha256').update(policy).digest('hex').slice(0, 20);
