/**
 * The bench's mail: an official letter in Vietnamese (UTF-8, 8bit), about 4 KB, with the
 * headers a real sender's MTA hands over, optionally DKIM-signed. Every message is
 * different (index in Subject, Message-ID and body) so hopthu's content-addressed blob
 * store cannot share one body between them.
 */
import { dkimSign, type DkimKey } from './dkim.js';

export const SENDER_DOMAIN = 'bonoivu.example';
export const SENDER_HELO = `mail.${SENDER_DOMAIN}`;
export const MAIL_FROM = `vanphong@${SENDER_DOMAIN}`;
export const LOCAL_DOMAIN = 'bench.test';
const SIGNED_FIELDS = ['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type', 'content-transfer-encoding'];

export const recipientOf = (i: number, mailboxes: number) => `user${i % mailboxes}@${LOCAL_DOMAIN}`;

/** `<run.index@domain>` back to its index, for a Message-ID stored with or without brackets. */
export function indexOfMessageId(runId: string, messageId: string | null): number | undefined {
  const m = /^<?([a-z0-9]+)\.(\d+)@/i.exec(messageId ?? '');
  return m && m[1] === runId ? Number(m[2]) : undefined;
}

export interface BenchMessages {
  count: number;
  runId: string;
  averageBytes: number;
  /** the bytes of message i as sent at `sentAtMs` (an X-Bench-Sent header in front) */
  raw(i: number, sentAtMs: number): Buffer;
}

const PARAGRAPHS = [
  'Thực hiện Quyết định số 749/QĐ-TTg ngày 03 tháng 6 năm 2020 của Thủ tướng Chính phủ phê duyệt Chương trình Chuyển đổi số quốc gia đến năm 2025, định hướng đến năm 2030, Bộ Nội vụ đề nghị các cơ quan, đơn vị rà soát danh sách cán bộ, công chức, viên chức và cập nhật địa chỉ thư điện tử công vụ trước ngày 30 tháng 6.',
  'Mỗi cán bộ, công chức được cấp một hộp thư cá nhân; các phòng, ban chuyên môn sử dụng hộp thư của cơ quan để gửi, nhận văn bản điện tử. Việc sử dụng thư điện tử công vụ phải tuân thủ quy định về bảo đảm an toàn thông tin mạng và bảo vệ bí mật nhà nước.',
  'Các đơn vị chủ động bố trí kinh phí, trang thiết bị và nhân lực để bảo đảm hệ thống hoạt động ổn định, thông suốt; tổ chức tập huấn cho cán bộ ở cấp xã về cách đăng nhập, đổi mật khẩu, nhận và trả lời thư trên máy tính cũng như trên điện thoại di động.',
  'Định kỳ hằng quý, các cơ quan, đơn vị báo cáo tình hình sử dụng thư điện tử công vụ, số lượng hộp thư đã cấp, số văn bản đã gửi, nhận qua môi trường mạng và những khó khăn, vướng mắc phát sinh trong quá trình thực hiện.',
  'Trong quá trình triển khai, nếu có khó khăn, vướng mắc, đề nghị liên hệ Văn phòng Bộ (Phòng Hành chính – Tổ chức, điện thoại 024.3824.0000) để được hướng dẫn, giải quyết kịp thời.',
];

const CLOSING = ['', 'Nơi nhận:', '- Như trên;', '- Lãnh đạo Bộ (để báo cáo);', '- Lưu: VT, VP.', '', 'TL. BỘ TRƯỞNG', 'CHÁNH VĂN PHÒNG', '', 'Nguyễn Văn An'];

/** Lines of at most ~76 characters, broken at spaces. */
export function wrap(text: string, width = 76): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** RFC 2047 B-encoded words of at most 45 bytes of UTF-8 each (75 characters encoded). */
function encodeWords(text: string): string {
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\r\n ');
}

function rfc5322Date(d: Date): string {
  // the sender is in Vietnam: UTC+7
  const local = new Date(d.getTime() + 7 * 3600_000);
  const [wd, day, mon, year, time] = local.toUTCString().replace(',', '').split(' ');
  return `${wd}, ${day} ${mon} ${year} ${time} +0700`;
}

function header(i: number, to: string, runId: string): string {
  return [
    `From: ${encodeWords('Văn phòng Bộ Nội vụ')} <${MAIL_FROM}>`,
    `To: ${encodeWords(`Cán bộ số ${i}`)} <${to}>`,
    `Subject: ${encodeWords(`Công văn số ${i}/BNV-VP về việc triển khai hộp thư điện tử công vụ`)}`,
    `Date: ${rfc5322Date(new Date())}`,
    `Message-ID: <${runId}.${i}@${SENDER_DOMAIN}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8; format=flowed',
    'Content-Transfer-Encoding: 8bit',
    'User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Thunderbird/128.5.0',
    'Content-Language: vi',
    '',
    '',
  ].join('\r\n');
}

function body(i: number, bytes: number): string {
  const lines = ['Kính gửi: Thủ trưởng các cơ quan, đơn vị trực thuộc.', '', `Số: ${i}/BNV-VP`, ''];
  const closing = CLOSING.join('\r\n') + '\r\n';
  let size = Buffer.byteLength(lines.join('\r\n') + '\r\n') + Buffer.byteLength(closing);
  for (let p = i; ; p++) {
    for (const line of [...wrap(PARAGRAPHS[p % PARAGRAPHS.length]!), '']) {
      const add = Buffer.byteLength(line) + 2;
      if (size + add > bytes) return `${lines.join('\r\n')}\r\n${closing}`;
      lines.push(line);
      size += add;
    }
  }
}

export function makeMessages(opts: { count: number; mailboxes: number; bytes: number; runId: string; dkim?: DkimKey }): BenchMessages {
  const sign = (m: string) => (opts.dkim ? dkimSign(m, opts.dkim, SIGNED_FIELDS) : m);
  const benchHeader = `X-Bench-Sent: ${Date.now()}\r\n`.length;
  const signature = sign(header(0, 'x@y', opts.runId)).length - header(0, 'x@y', opts.runId).length;
  const messages: Buffer[] = [];
  for (let i = 0; i < opts.count; i++) {
    const head = header(i, recipientOf(i, opts.mailboxes), opts.runId);
    const room = opts.bytes - Buffer.byteLength(head) - signature - benchHeader;
    messages.push(Buffer.from(sign(head + body(i, room))));
  }
  const total = messages.reduce((s, m) => s + m.length, 0);
  return {
    count: opts.count,
    runId: opts.runId,
    averageBytes: Math.round(total / Math.max(1, opts.count) + benchHeader),
    raw: (i, sentAtMs) => Buffer.concat([Buffer.from(`X-Bench-Sent: ${sentAtMs}\r\n`), messages[i]!]),
  };
}
