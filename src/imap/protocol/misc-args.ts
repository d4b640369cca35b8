import type { ArgParser } from './arg-parser.js';
import { ValueSyntaxError } from './errors.js';
import type { SequenceSet } from './sequence-set.js';

/** The arguments of the commands with small grammars. */

export type NoArgs = Record<string, never>;

/** CAPABILITY, NOOP, LOGOUT, STARTTLS, CHECK, CLOSE, UNSELECT, NAMESPACE, IDLE (RFC 2177 §3) */
export function parseNoArgs(p: ArgParser): NoArgs {
  p.end();
  return {};
}

/** RFC 9051 §6.2.3: LOGIN SP userid SP password (both astrings) */
export function parseLoginArgs(p: ArgParser): { username: string; password: string } {
  const username = p.text('the user name');
  const password = p.text('the password');
  p.end();
  return { username, password };
}

/** RFC 4648 §4 base64 with padding, as RFC 9051 §9 base64 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * RFC 9051 §6.2.2 with SASL-IR (RFC 4959 §3): AUTHENTICATE SP auth-type [SP (base64 / "=")].
 * `initialResponse` is null when none was sent, empty for "=".
 */
export function parseAuthenticateArgs(p: ArgParser): { mechanism: string; initialResponse: Buffer | null } {
  const mechanism = p.atom('a SASL mechanism name').toUpperCase();
  let initialResponse: Buffer | null = null;
  if (!p.atEnd) {
    const t = p.word('an initial response in base64, or "="');
    initialResponse = p.convert(t, () => decodeBase64Response(t.text));
  }
  p.end();
  return { mechanism, initialResponse };
}

function decodeBase64Response(text: string): Buffer {
  // RFC 4959 §3: "=" is an empty initial response
  if (text === '=') return Buffer.alloc(0);
  if (!BASE64.test(text)) throw new ValueSyntaxError('The SASL response is not valid base64');
  return Buffer.from(text, 'base64');
}

/**
 * A client line during AUTHENTICATE (RFC 9051 §6.2.2): base64 data, or "*" to cancel
 * (the server then answers BAD). An empty line is an empty response.
 */
export function parseSaslResponse(line: Buffer): { cancel: true } | { cancel: false; data: Buffer } {
  const text = line.toString('latin1');
  if (text === '*') return { cancel: true };
  if (text === '') return { cancel: false, data: Buffer.alloc(0) };
  return { cancel: false, data: decodeBase64Response(text) };
}

/** IDLE ends with "DONE" on a line of its own (RFC 2177 §3), case-insensitive as atoms are */
export const isIdleDone = (line: Buffer): boolean => line.toString('latin1').toUpperCase() === 'DONE';

/** DELETE, EXAMINE's mailbox, SUBSCRIBE, UNSUBSCRIBE, GETQUOTAROOT, GETACL, MYRIGHTS */
export function parseMailboxArg(p: ArgParser): { mailbox: string } {
  const mailbox = p.mailbox();
  p.end();
  return { mailbox };
}

/** RFC 6154 §5.2 use-attr */
const USE_ATTRS = new Map(['\\All', '\\Archive', '\\Drafts', '\\Flagged', '\\Junk', '\\Sent', '\\Trash'].map((a) => [a.toUpperCase(), a]));

/** RFC 9051 §6.3.4 CREATE mailbox, with RFC 6154 §3's CREATE-SPECIAL-USE: [SP "(" "USE" SP "(" use-attr... ")" ")"] */
export function parseCreateArgs(p: ArgParser): { mailbox: string; specialUse: string[] } {
  const mailbox = p.mailbox();
  const specialUse: string[] = [];
  if (p.isOpen()) {
    p.list(
      'the CREATE parameters',
      () => {
        p.keyword('a CREATE parameter', ['USE']);
        for (const attr of p.list('the USE attributes', () => p.word('a special-use attribute such as \\Sent'))) {
          const known = USE_ATTRS.get(attr.text.toUpperCase());
          if (!known) p.failAt(attr, `${JSON.stringify(attr.text)} is not a special-use attribute (RFC 6154 section 2)`);
          specialUse.push(known);
        }
      },
      1,
    );
  }
  p.end();
  return { mailbox, specialUse };
}

/** RFC 9051 §6.3.6: RENAME existing-mailbox SP new-mailbox */
export function parseRenameArgs(p: ArgParser): { from: string; to: string } {
  const from = p.mailbox('the existing mailbox name');
  const to = p.mailbox('the new mailbox name');
  p.end();
  return { from, to };
}

/** COPY (RFC 9051 §6.4.7) and MOVE (RFC 6851 §3.1): sequence-set SP mailbox */
export function parseCopyArgs(p: ArgParser): { set: SequenceSet; mailbox: string } {
  const set = p.sequenceSet();
  const mailbox = p.mailbox('the destination mailbox');
  p.end();
  return { set, mailbox };
}

/** EXPUNGE takes nothing; UID EXPUNGE a UID set (RFC 4315 §2.1) */
export function parseExpungeArgs(p: ArgParser, uid: boolean): { set: SequenceSet | null } {
  const set = uid ? p.sequenceSet('a UID set') : null;
  p.end();
  return { set };
}

/** RFC 4978 §3: COMPRESS SP algorithm; only DEFLATE is defined */
export function parseCompressArgs(p: ArgParser): { algorithm: string } {
  const algorithm = p.atom('a compression algorithm (DEFLATE)').toUpperCase();
  p.end();
  return { algorithm };
}

/** RFC 9208 §4.1.1: GETQUOTA quota-root (an astring, not a mailbox name) */
export function parseQuotaRootArg(p: ArgParser): { root: string } {
  const root = p.text('a quota root');
  p.end();
  return { root };
}

/** RFC 9208 §4.1.4: SETQUOTA quota-root SP "(" [resource-name SP resource-limit *(SP ...)] ")" */
export function parseSetQuotaArgs(p: ArgParser): { root: string; limits: { resource: string; limit: number }[] } {
  const root = p.text('a quota root');
  const limits = p.list('the quota limits', () => ({ resource: p.atom('a resource name').toUpperCase(), limit: p.number64('a resource limit') }));
  p.end();
  return { root, limits };
}

/** RFC 4314 §2.1: rights are lower-case letters and digits */
const RIGHTS = /^[a-z0-9]*$/;

function identifier(p: ArgParser): string {
  return p.text('an ACL identifier');
}

/** RFC 4314 §3.1: SETACL mailbox SP identifier SP mod-rights; mod-rights = astring (["+" / "-"] rights) */
export function parseSetAclArgs(p: ArgParser): { mailbox: string; identifier: string; mode: 'replace' | 'add' | 'remove'; rights: string } {
  const mailbox = p.mailbox();
  const id = identifier(p);
  const t = p.peek();
  let rights = p.text('the rights');
  let mode: 'replace' | 'add' | 'remove' = 'replace';
  if (rights.startsWith('+') || rights.startsWith('-')) {
    mode = rights[0] === '+' ? 'add' : 'remove';
    rights = rights.slice(1);
  }
  if (!RIGHTS.test(rights)) p.failAt(t, `"${rights}" is not a set of rights (letters such as lrswipkxtea, RFC 4314 section 2.1)`);
  p.end();
  return { mailbox, identifier: id, mode, rights };
}

/** RFC 4314 §3.2 DELETEACL and §3.4 LISTRIGHTS: mailbox SP identifier */
export function parseMailboxIdentifierArgs(p: ArgParser): { mailbox: string; identifier: string } {
  const mailbox = p.mailbox();
  const id = identifier(p);
  p.end();
  return { mailbox, identifier: id };
}
