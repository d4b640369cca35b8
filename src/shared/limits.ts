/**
 * Protocol limits in one place, so a parser and its checks cannot drift apart.
 */
export const SMTP_LIMITS = {
  /** RFC 5321 §4.5.3.1.4: a command line is at most 512 octets including CRLF */
  commandLineOctets: 512,
  /** RFC 5321 §4.5.3.1.3: a path is at most 256 octets */
  pathOctets: 256,
  /** RFC 5321 §4.5.3.1.1: a local part is at most 64 octets */
  localPartOctets: 64,
  /** RFC 5321 §4.5.3.1.2: a domain is at most 255 octets */
  domainOctets: 255,
  /** RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets including CRLF */
  textLineOctets: 1000,
  /** unrecognised commands tolerated before the session is closed */
  maxBadCommands: 10,
} as const;

export const MIME_LIMITS = {
  /** deepest multipart / message nesting parsed; deeper parts are treated as opaque */
  maxNestingDepth: 64,
  /** most parts described for one message */
  maxParts: 10_000,
} as const;

export const DELIVERY_LIMITS = {
  /** alias chains longer than this are a loop */
  maxAliasDepth: 8,
  /** a message that has passed through this many Received headers is looping (RFC 5321 §6.3) */
  maxReceivedHeaders: 50,
} as const;

export const IMAP_LIMITS = {
  /** longest command line: one segment up to a literal or the end, CRLF included; RFC 7162 §4 asks for at least 8192 */
  lineOctets: 64 * 1024,
  /** all the non-literal text of one command, its lines together */
  commandTextOctets: 1024 * 1024,
  /** literals in one command (MULTIAPPEND sends one per message) */
  literalsPerCommand: 1000,
  /** default cap on a literal collected into memory (passwords, search text, mailbox names) */
  bufferedLiteralOctets: 256 * 1024,
  /** all the literals of one command collected into memory together */
  bufferedCommandOctets: 4 * 1024 * 1024,
  /** RFC 7888 §4: with LITERAL-, a non-synchronizing literal is at most 4096 octets */
  literalMinusOctets: 4096,
  /** deepest nesting of parenthesised lists in a command */
  listDepth: 32,
  /** deepest nesting of SEARCH keys (NOT, OR, parenthesised groups) */
  searchDepth: 256,
} as const;
