/**
 * Inbound sender authentication for the MX: SPF (RFC 7208), DKIM (RFC 6376), ARC
 * (RFC 8617) and DMARC (RFC 7489), run by mailauth through hopthu's DNS resolver.
 * Callers get plain results, the Authentication-Results header to prepend
 * (RFC 8601) and, when local policy says so, the refusal for a DMARC reject.
 */
import type { Readable } from 'node:stream';
import mailauth from '../shared/mailauth.js';
import type { AuthenticateOptions } from 'mailauth';
import type { DnsResolver } from '../shared/dns.js';

/** RFC 8601 §2.7 result keywords (mailauth adds 'policy' for weak DKIM keys). */
export type AuthResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror' | 'policy';
export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

export interface InboundAuthInput {
  /** The message as received, before we add any header. */
  message: Buffer | Readable;
  clientIp: string;
  helo: string;
  /** MAIL FROM address; '' for the null reverse-path of a bounce. */
  mailFrom: string;
  /** Our host name: the authserv-id of Authentication-Results (RFC 8601 §2.5). */
  hostname: string;
  resolver: DnsResolver;
  /** Refuse mail that fails DMARC from domains publishing p=reject. */
  rejectDmarcFailures: boolean;
}

export interface InboundAuthOutcome {
  /** `Authentication-Results: <hostname>; ...` folded, ending in CRLF, ready to prepend. */
  authenticationResults: string;
  spf: { result: AuthResult; domain: string; comment?: string };
  /** One entry per DKIM-Signature header; empty when the message is unsigned. */
  dkim: Array<{ result: AuthResult; domain: string; selector?: string; aligned: boolean; comment?: string }>;
  arc: { result: AuthResult };
  dmarc: { status: AuthResult; domain?: string; policy?: DmarcPolicy };
  reject?: { code: 550; enhanced: '5.7.1'; message: string };
}

export async function verifyInbound(input: InboundAuthInput): Promise<InboundAuthOutcome> {
  const options: AuthenticateOptions = {
    ip: input.clientIp,
    helo: input.helo,
    // RFC 7208 §2.4: with a null reverse-path SPF checks postmaster@<HELO>, which mailauth does when sender is unset
    sender: input.mailFrom || undefined,
    mta: input.hostname,
    resolver: input.resolver.mailauthResolver as AuthenticateOptions['resolver'],
    disableBimi: true,
    trustReceived: false,
  };
  const result = await mailauth.authenticate(input.message, options);

  const spf = result.spf
    ? { result: result.spf.status.result as AuthResult, domain: result.spf.domain, comment: result.spf.status.comment }
    : { result: 'none' as const, domain: '' };
  // one entry per DKIM-Signature; mailauth adds a domain-less 'none' row for an unsigned message
  const dkim = (result.dkim.results ?? []).filter((r) => r.signingDomain).map((r) => ({
    result: r.status.result as AuthResult,
    domain: r.signingDomain,
    selector: r.selector,
    aligned: Boolean(r.status.aligned),
    comment: r.status.comment,
  }));
  const arc = { result: (result.arc ? result.arc.status.result : 'none') as AuthResult };
  const dmarc = result.dmarc
    ? {
        status: result.dmarc.status.result as AuthResult,
        domain: result.dmarc.domain,
        policy: asPolicy(result.dmarc.policy),
      }
    : { status: 'none' as const };

  const outcome: InboundAuthOutcome = {
    authenticationResults: authenticationResultsHeader(result.headers),
    spf,
    dkim,
    arc,
    dmarc,
  };

  const pct = result.dmarc ? result.dmarc.pct : undefined;
  if (
    input.rejectDmarcFailures &&
    dmarc.status === 'fail' &&
    dmarc.policy === 'reject' &&
    // RFC 7489 §6.6.4: pct=N applies the policy to N% of failing messages
    (pct === undefined || pct >= 100 || Math.random() * 100 < pct)
  ) {
    // RFC 7489 §6.6.2 and §10.3: reject during the SMTP transaction, 550 5.7.1
    outcome.reject = {
      code: 550,
      enhanced: '5.7.1',
      message:
        `Message rejected: ${dmarc.domain ?? 'the sender domain'} publishes a DMARC policy of reject ` +
        `and this message failed DMARC (neither SPF nor DKIM passed for the From domain)`,
    };
  }
  return outcome;
}

function asPolicy(value: string | undefined): DmarcPolicy | undefined {
  return value === 'none' || value === 'quarantine' || value === 'reject' ? value : undefined;
}

/** mailauth returns Received-SPF and Authentication-Results together; keep the latter. */
function authenticationResultsHeader(headers: string): string {
  const fields = headers.split(/\r\n(?![ \t])/).filter(Boolean);
  const header = fields.find((f) => /^authentication-results:/i.test(f));
  if (!header) throw new Error('mailauth produced no Authentication-Results header');
  return `${header}\r\n`;
}
