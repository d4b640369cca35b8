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
