/**
 * What hopthu announces (RFC 9051 §6.1.1, §7.2.2). Only what works end to end is listed;
 * the session computes the list from its state, so STARTTLS and LOGINDISABLED come and go.
 */
import { RIGHTS_CAPABILITY } from './acl-rights.js';

const ALWAYS = [
  'IMAP4rev1',
  'IMAP4rev2', // RFC 9051, chosen with ENABLE IMAP4rev2 (§6.3.1)
  'LITERAL+', // RFC 7888
  'SASL-IR', // RFC 4959
  'ID', // RFC 2971
  'ENABLE', // RFC 5161
  'IDLE', // RFC 2177
  'NAMESPACE', // RFC 2342
  'UNSELECT', // RFC 3691
  'UIDPLUS', // RFC 4315
  'MOVE', // RFC 6851
  'CHILDREN', // RFC 3348
  'SPECIAL-USE', // RFC 6154
  'CONDSTORE', // RFC 7162 §3.1
  'QRESYNC', // RFC 7162 §3.2
  'ESEARCH', // RFC 4731
  'SEARCHRES', // RFC 5182
  'STATUS=SIZE', // RFC 8438
  'MULTIAPPEND', // RFC 3502
  'BINARY', // RFC 3516
  'QUOTA', // RFC 9208
  'QUOTA=RES-STORAGE', // RFC 9208 §5.1
  'WITHIN', // RFC 5032
  'UTF8=ACCEPT', // RFC 6855
  'LIST-EXTENDED', // RFC 5258
  'LIST-STATUS', // RFC 5819
  'SORT', // RFC 5256
  'SORT=DISPLAY', // RFC 5957
  'ESORT', // RFC 5267
  'THREAD=REFERENCES', // RFC 5256
  'THREAD=ORDEREDSUBJECT', // RFC 5256
  'ACL', // RFC 4314: GETACL, SETACL, DELETEACL, LISTRIGHTS, MYRIGHTS (commands/acl.ts)
  RIGHTS_CAPABILITY, // RFC 4314 §2.2
] as const;

export interface CapabilityState {
  authenticated: boolean;
  secure: boolean;
  /** RFC 9051 §6.2.3: LOGIN and AUTHENTICATE PLAIN are refused over plaintext */
  plaintextLoginAllowed: boolean;
  /** STARTTLS is offered on this listener (not on the implicit-TLS port) */
  startTls: boolean;
  /** RFC 7889: the largest message APPEND takes, in octets */
  appendLimit: number;
}

export function capabilities(s: CapabilityState): string[] {
  const caps: string[] = [...ALWAYS, `APPENDLIMIT=${s.appendLimit}`];
  // RFC 4978 §3: COMPRESS is a command of the authenticated states
  if (s.authenticated) return [...caps, 'COMPRESS=DEFLATE'];
  if (s.startTls && !s.secure) caps.push('STARTTLS');
  // RFC 9051 §6.2.3 / §7.2.2: LOGINDISABLED, and no AUTH=PLAIN, until TLS is on
  if (s.secure || s.plaintextLoginAllowed) caps.push('AUTH=PLAIN');
  else caps.push('LOGINDISABLED');
  return caps;
}
