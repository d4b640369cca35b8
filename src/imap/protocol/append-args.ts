import type { ArgParser, MessageData } from './arg-parser.js';
import type { LiteralRequest } from './command-reader.js';
import type { ImapDateTime } from './datetime.js';

/**
 * APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502 §6), literal8 (RFC 3516 §4.4) and
 * UTF8 (RFC 6855 §4):
 * "APPEND" SP mailbox 1*([SP flag-list] [SP date-time] SP (literal / literal8 / "UTF8" SP "(" literal8 ")"))
 */

export interface AppendMessage {
  flags: string[];
  /** null: the server uses the current time */
  date: ImapDateTime | null;
  data: MessageData;
  /** sent as UTF8 (~{n}) (RFC 6855 §4) */
  utf8: boolean;
}

export interface AppendArgs {
  mailbox: string;
  /** several with MULTIAPPEND: all are appended, or none */
  messages: AppendMessage[];
}

export function parseAppendArgs(p: ArgParser): AppendArgs {
  const mailbox = p.mailbox();
  const messages: AppendMessage[] = [];
  do messages.push(appendMessage(p));
  while (!p.atEnd);
  return { mailbox, messages };
}

function appendMessage(p: ArgParser): AppendMessage {
  const flags = p.isOpen() ? p.flagList() : [];
  const date = p.peek()?.kind === 'quoted' ? p.dateTime() : null;
  if (p.peekKeyword() === 'UTF8') {
    p.word('UTF8');
    p.open('the UTF8 message');
    const t = p.peek();
    const data = p.messageData('the message as a literal8 ~{n}');
    if (!data.binary) p.failAt(t, 'UTF8 (...) holds a literal8 ~{n} (RFC 6855 section 4)');
    p.close('the UTF8 message');
    return { flags, date, data, utf8: true };
  }
  return { flags, date, data: p.messageData('the message literal (or a flag list or date-time before it)'), utf8: false };
}

/**
 * Whether a literal announced in an APPEND command is a message (to stream to storage)
 * rather than the mailbox name: any literal after the mailbox at the top level, or inside
 * UTF8 (...).
 */
export function isAppendMessageLiteral(request: LiteralRequest): boolean {
  if (request.command !== 'APPEND' || request.uid || request.args.length === 0) return false;
  if (request.depth === 0) return true;
  const [utf8, open] = request.args.slice(-2);
  return request.depth === 1 && utf8?.kind === 'atom' && utf8.text.toUpperCase() === 'UTF8' && open?.kind === 'open';
}
