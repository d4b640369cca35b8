/**
 * Delivery status notifications (RFC 3464): the bounce or delay warning sent back to
 * the envelope sender. The caller sends it with an empty reverse-path (RFC 5321 §4.5.5)
 * so that a DSN never causes another DSN.
 */
import { randomBytes } from 'node:crypto';

export interface DsnRecipient {
  /** The address we tried to deliver to (RFC 3464 §2.3.2). */
  finalRecipient: string;
  /** ORCPT from the RCPT command, when given: `rfc822;addr` as sent, or a bare address (RFC 3464 §2.3.1). */
  originalRecipient?: string;
  /** RFC 3464 §2.3.3: failed = bounced for good, delayed = still retrying. */
  action: 'failed' | 'delayed';
  /** RFC 3464 §2.3.4 / RFC 3463: e.g. '5.1.1'. */
  status: string;
  /** The host that gave the answer (RFC 3464 §2.3.5). */
  remoteMta?: string;
  /** That host's SMTP reply, e.g. '550 5.1.1 <a@b>: user unknown' (RFC 3464 §2.3.6). */
  diagnostic?: string;
  lastAttemptDate?: Date;
  /** For 'delayed': when we give up (RFC 3464 §2.3.8). */
  willRetryUntil?: Date;
}

export interface DsnInput {
  /** Our host name: Reporting-MTA and the MAILER-DAEMON address. */
  reportingMta: string;
  /** The original envelope sender, who receives this report. */
  to: string;
  /** When we accepted the original message (RFC 3464 §2.2.5). */
  arrivalDate: Date;
  /** ENVID from MAIL FROM, when given (RFC 3464 §2.2.1). */
  originalEnvelopeId?: string;
  recipients: DsnRecipient[];
  /** The original message, or just its header section; only the headers are returned. */
  original: Buffer;
  /** Defaults to now. */
  date?: Date;
}

const CRLF = '\r\n';

export function buildDsn(input: DsnInput): Buffer {
  if (input.recipients.length === 0) throw new Error('a DSN reports on at least one recipient');
  const date = input.date ?? new Date();
  const boundary = `=_hopthu_dsn_${randomBytes(12).toString('hex')}`;
  const failed = input.recipients.some((r) => r.action === 'failed');
  const originalHeaders = headerSection(input.original);
  const originalMessageId = /^message-id:[ \t]*(<[^>\r\n]+>)/im.exec(originalHeaders.toString('latin1'))?.[1];

  const statusText = deliveryStatus(input);
  // RFC 6533 §6: internationalized addresses need the message/global-* variants
  const international = !isAscii(statusText);
  const headersInternational = !isAscii(originalHeaders.toString('latin1'));

  const subject = failed
    ? 'Thư không gửi được / Undelivered Mail Returned to Sender'
    : 'Thư đang chờ gửi lại / Delivery Status Notification (Delay)';

  const head = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.reportingMta}>`,
    `To: <${input.to}>`,
    `Subject: ${encodeWords(subject)}`,
    `Date: ${rfc5322Date(date)}`,
    `Message-ID: <dsn.${randomBytes(9).toString('hex')}@${input.reportingMta}>`,
    ...(originalMessageId ? [`In-Reply-To: ${originalMessageId}`, `References: ${originalMessageId}`] : []),
    // RFC 3834 §5: automatic responses say so, and nobody should answer them
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    // RFC 3464 §2 / RFC 6522 §3: multipart/report with report-type=delivery-status
    `Content-Type: multipart/report; report-type=delivery-status;${CRLF} boundary="${boundary}"`,
  ];

  const parts: Buffer[] = [
    Buffer.from(head.join(CRLF) + CRLF + CRLF + 'This is a MIME-formatted delivery status notification.' + CRLF),
    // RFC 6522 §3 / RFC 3464 §2: first part, human-readable, Vietnamese first then English
    Buffer.from(
      `--${boundary}${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}` +
        base64Lines(humanText(input, failed)),
    ),
    // RFC 3464 §2.1: second part, machine-readable message/delivery-status
    Buffer.from(
      `--${boundary}${CRLF}Content-Type: ${international ? 'message/global-delivery-status' : 'message/delivery-status'}${CRLF}` +
        // the CRLF before a boundary belongs to the boundary (RFC 2046 §5.1.1); the last field keeps its own
        `Content-Transfer-Encoding: ${international ? '8bit' : '7bit'}${CRLF}${CRLF}${statusText}${CRLF}`,
    ),
    // RFC 3464 §2: third part, the original headers (RFC 6522 §4 text/rfc822-headers)
    Buffer.from(
      `--${boundary}${CRLF}Content-Type: ${headersInternational ? 'message/global-headers' : 'text/rfc822-headers'}${CRLF}` +
        `Content-Transfer-Encoding: ${headersInternational ? '8bit' : '7bit'}${CRLF}${CRLF}`,
    ),
    originalHeaders,
    Buffer.from(`${CRLF}--${boundary}--${CRLF}`),
  ];
  return Buffer.concat(parts);
}

/** The message/delivery-status body: per-message fields, then one block per recipient. */
function deliveryStatus(input: DsnInput): string {
  const blocks: string[][] = [
    [
      // RFC 3464 §2.2.1, §2.2.2, §2.2.5
      ...(input.originalEnvelopeId ? [`Original-Envelope-Id: ${oneLine(input.originalEnvelopeId, true)}`] : []),
      `Reporting-MTA: dns; ${input.reportingMta}`,
      `Arrival-Date: ${rfc5322Date(input.arrivalDate)}`,
    ],
  ];
  for (const r of input.recipients) {
    // RFC 3464 §2.3.4: status-code = class "." subject "." detail; class 4 or 5 for delayed/failed
    if (!/^[245]\.\d{1,3}\.\d{1,3}$/.test(r.status)) throw new Error(`not an RFC 3463 status code: ${r.status}`);
    blocks.push([
      ...(r.originalRecipient ? [`Original-Recipient: ${originalRecipientField(r.originalRecipient)}`] : []),
      `Final-Recipient: ${addressField(r.finalRecipient)}`,
      `Action: ${r.action}`,
      `Status: ${r.status}`,
      ...(r.remoteMta ? [`Remote-MTA: dns; ${r.remoteMta}`] : []),
      // RFC 3464 §2.3.6: diagnostic-type "smtp" carries the remote server's reply
      ...(r.diagnostic ? [fold(`Diagnostic-Code: smtp; ${oneLine(r.diagnostic, true)}`)] : []),
      ...(r.lastAttemptDate ? [`Last-Attempt-Date: ${rfc5322Date(r.lastAttemptDate)}`] : []),
      ...(r.willRetryUntil ? [`Will-Retry-Until: ${rfc5322Date(r.willRetryUntil)}`] : []),
    ]);
  }
  // RFC 3464 §2.1: groups of fields separated by a blank line
  return blocks.map((fields) => fields.join(CRLF) + CRLF).join(CRLF);
}

/** RFC 3464 §2.3.2 address-type "rfc822", or "utf-8" for an internationalized address (RFC 6533 §3). */
function addressField(address: string): string {
  return isAscii(address) ? `rfc822; ${address}` : `utf-8; ${address}`;
}

/** RFC 3461 §4.2: ORCPT already carries its address type; keep it (RFC 3464 §2.3.1). */
function originalRecipientField(orcpt: string): string {
  const typed = /^([a-z0-9-]+);\s*(.+)$/i.exec(oneLine(orcpt));
  return typed ? `${typed[1]}; ${typed[2]}` : addressField(oneLine(orcpt));
}

function humanText(input: DsnInput, failed: boolean): string {
  const list = input.recipients.map((r) => {
    const reason = r.diagnostic ? oneLine(r.diagnostic) : `status ${r.status}`;
    return `  <${r.finalRecipient}>${r.remoteMta ? ` (${r.remoteMta})` : ''}: ${reason}`;
  });
  const vi = failed
    ? [
        `Thư của bạn không gửi được tới người nhận dưới đây. Máy chủ ${input.reportingMta} đã ngừng thử gửi.`,
        '',
        ...list,
        '',
        'Xin kiểm tra lại địa chỉ người nhận, hoặc liên hệ quản trị viên thư điện tử của đơn vị.',
      ]
    : [
        `Thư của bạn chưa gửi được tới người nhận dưới đây. Máy chủ ${input.reportingMta} sẽ tiếp tục thử gửi; bạn không cần gửi lại.`,
        '',
        ...list,
      ];
  const en = failed
    ? [
        `Your message could not be delivered to the recipients below. ${input.reportingMta} has stopped trying.`,
        '',
        ...list,
        '',
        "Please check the recipients' addresses, or contact your mail administrator.",
      ]
    : [
        `Your message has not yet been delivered to the recipients below. ${input.reportingMta} will keep trying; you do not need to send it again.`,
        '',
        ...list,
      ];
  return [...vi, '', '---', '', ...en, ''].join(CRLF);
}

/** The header section of a message: everything before the first empty line, ending in CRLF. */
function headerSection(message: Buffer): Buffer {
  const crlf = message.indexOf('\r\n\r\n');
  const lf = message.indexOf('\n\n');
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 2 : lf >= 0 ? lf + 1 : message.length;
  const headers = message.subarray(0, end);
  // normalise bare LF to CRLF (RFC 5322 §2.1) so the part stays well-formed
  const text = headers.toString('latin1').replace(/\r?\n/g, CRLF);
  return Buffer.from(text.endsWith(CRLF) ? text : text + CRLF, 'latin1');
}

/** RFC 5322 §3.3 date-time with a numeric zone. */
function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** One printable line; with ascii, anything outside US-ASCII becomes '?' (RFC 3464 §2.1: the fields are 7-bit). */
function oneLine(text: string, ascii = false): string {
  const line = text.replace(/[\r\n\t]+/g, ' ').replace(/[\x00-\x1f\x7f]/g, '?').trim();
  return ascii ? line.replace(/[^\x20-\x7e]/g, '?') : line;
}

/** Fold a long field at spaces to keep lines under 78 characters (RFC 5322 §2.2.3). */
function fold(line: string): string {
  const words = line.split(' ');
  const lines: string[] = [];
  let current = words.shift() ?? '';
  for (const word of words) {
    if (current.length + 1 + word.length > 76) {
      lines.push(current);
      current = ` ${word}`;
    } else current += ` ${word}`;
  }
  lines.push(current);
  return lines.join(CRLF);
}

function isAscii(text: string): boolean {
  return /^[\x00-\x7f]*$/.test(text);
}

/** RFC 2047 §4.1 B-encoded words, at most 75 characters each (§2), split on whole characters. */
function encodeWords(text: string): string {
  if (isAscii(text)) return text;
  const words: string[] = [];
  let chunk = '';
  for (const char of text) {
    if (Buffer.byteLength(chunk + char) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join(`${CRLF} `);
}

function base64Lines(text: string): string {
  // RFC 2045 §6.8: encoded lines are at most 76 characters
  return (Buffer.from(text).toString('base64').match(/.{1,76}/g) ?? []).join(CRLF) + CRLF;
}
