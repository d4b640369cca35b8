/**
 * The tokens of one client command, as the lexer and the command reader produce them.
 * Every token records its byte offset from the start of the command (the tag is at 0),
 * literal data included, so an error can say exactly where it is.
 */

/** A run of characters other than SP, "(", ")", DQUOTE and CTLs: atoms, numbers, sequence sets, flags, `BODY[...]<...>`. */
export interface AtomToken {
  kind: 'atom';
  pos: number;
  /** the octets as latin1 (one char per octet); productions validate which characters they allow */
  text: string;
}

/** RFC 9051 §4.3: a quoted string, escapes removed */
export interface QuotedToken {
  kind: 'quoted';
  pos: number;
  bytes: Buffer;
}

/** RFC 9051 §4.3: a literal the owner chose to collect into memory; `binary` for literal8 `~{n}` (RFC 3516 §4.1) */
export interface LiteralToken {
  kind: 'literal';
  pos: number;
  bytes: Buffer;
  binary: boolean;
}

/** A literal whose octets went to a sink as they arrived; `result` is what the sink's end() returned. */
export interface StreamedToken {
  kind: 'streamed';
  pos: number;
  size: number;
  binary: boolean;
  result: unknown;
}

export interface ListOpenToken {
  kind: 'open';
  pos: number;
}

export interface ListCloseToken {
  kind: 'close';
  pos: number;
}

export type Token = AtomToken | QuotedToken | LiteralToken | StreamedToken | ListOpenToken | ListCloseToken;

const shown = (text: string): string => JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);

/** How an error message names what it found. */
export function describeToken(token: Token | undefined): string {
  if (!token) return 'the end of the command';
  switch (token.kind) {
    case 'atom':
      return shown(token.text);
    case 'quoted':
      return `the quoted string ${shown(token.bytes.toString('latin1'))}`;
    case 'literal':
      return `a ${token.binary ? 'literal8' : 'literal'} of ${token.bytes.length} octets`;
    case 'streamed':
      return `a streamed ${token.binary ? 'literal8' : 'literal'} of ${token.size} octets`;
    case 'open':
      return '"("';
    case 'close':
      return '")"';
  }
}
