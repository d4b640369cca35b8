/**
 * The IMAP bench's mailbox content: administrative mail in Vietnamese, about 4 KB each,
 * with the variety a real INBOX has: 24 senders at several agencies, a dozen kinds of
 * subject (some replies with In-Reply-To/References), Cc on some, dates over a year,
 * and three body shapes (8bit text, quoted-printable text, multipart/alternative with
 * a base64 HTML part). Every message differs (index in Subject, Message-ID and body), so
 * a content-addressed store cannot share bodies between them. Deterministic in `i`.
 */

import { LOCAL_DOMAIN, wrap } from '../smtp/messages.js';

/** the accounts' domain, the one smtp/hopthu.ts's provision() makes */
export const DOMAIN = LOCAL_DOMAIN;

const SENDERS: Array<[name: string, address: string]> = [
  ['Nguyễn Văn An', 'nvan@vp.yenbai.gov.vn'],
  ['Trần Thị Lan', 'ttlan@snv.yenbai.gov.vn'],
  ['Lê Thị Hoa', 'lethihoa@stc.yenbai.gov.vn'],
  ['Phạm Minh Đức', 'pmduc@sgddt.yenbai.gov.vn'],
  ['Hoàng Văn Thắng', 'hvthang@syt.yenbai.gov.vn'],
  ['Vũ Thị Ngọc Ánh', 'vtnanh@stp.yenbai.gov.vn'],
  ['Đặng Quốc Huy', 'dqhuy@sxd.yenbai.gov.vn'],
  ['Bùi Thị Thu Hằng', 'btthang@skhdt.yenbai.gov.vn'],
  ['Đỗ Mạnh Hùng', 'dmhung@stnmt.yenbai.gov.vn'],
  ['Hồ Thị Mai', 'htmai@sct.yenbai.gov.vn'],
  ['Ngô Đình Khải', 'ndkhai@snnptnt.yenbai.gov.vn'],
  ['Dương Thị Yến', 'dtyen@sldtbxh.yenbai.gov.vn'],
  ['Lý Văn Phúc', 'lvphuc@ubnd.vanyen.yenbai.gov.vn'],
  ['Trịnh Thị Hương', 'tthuong@ubnd.lucyen.yenbai.gov.vn'],
  ['Đinh Công Tuấn', 'dctuan@ubnd.mucangchai.yenbai.gov.vn'],
  ['Mai Thị Xuân', 'mtxuan@ubnd.tramtau.yenbai.gov.vn'],
  ['Cao Văn Lợi', 'cvloi@ubnd.vanchan.yenbai.gov.vn'],
  ['Tạ Thị Quỳnh', 'ttquynh@ubnd.yenbinh.yenbai.gov.vn'],
  ['Phan Thanh Tùng', 'pttung@ubnd.nghialo.yenbai.gov.vn'],
  ['Lương Thị Diệu', 'ltdieu@stttt.yenbai.gov.vn'],
  ['Văn phòng UBND tỉnh', 'vanphong@yenbai.gov.vn'],
  ['Bộ Nội vụ', 'vanthu@moha.gov.vn'],
  ['Hệ thống Quản lý văn bản', 'qlvb-noreply@yenbai.gov.vn'],
  ['Công đoàn Viên chức tỉnh', 'congdoan@yenbai.gov.vn'],
];

const SUBJECTS = [
  (n: number) => `Công văn số ${n}/UBND-VP về việc triển khai thư điện tử công vụ`,
  (n: number) => `Giấy mời họp giao ban tháng ${(n % 12) + 1} (lần ${n})`,
  (n: number) => `Kế hoạch tổ chức hội nghị tổng kết năm, mã ${n}`,
  (n: number) => `Báo cáo tình hình thực hiện nhiệm vụ quý ${(n % 4) + 1} - số ${n}`,
  (n: number) => `Thông báo lịch trực Tết Nguyên đán, đợt ${n}`,
  (n: number) => `Quyết định số ${n}/QĐ-UBND về việc điều động cán bộ`,
  (n: number) => `Tờ trình đề nghị phê duyệt dự toán kinh phí ${n}`,
  (n: number) => `V/v cung cấp số liệu thống kê dân số, hồ sơ ${n}`,
  (n: number) => `Hướng dẫn sử dụng phần mềm quản lý văn bản (bản ${n})`,
  (n: number) => `Mời tham dự tập huấn chuyển đổi số cấp xã, lớp ${n}`,
  (n: number) => `Đề nghị rà soát danh sách đảng viên, đợt ${n}`,
  (n: number) => `Phiếu lấy ý kiến dự thảo Nghị quyết ${n}`,
];
/** the subject every SUBJECTS.length-th message has, for the header search */
export const HEADER_SEARCH_SUBJECT = 'Giấy mời họp giao ban';
export const HEADER_SEARCH_FROM = 'lethihoa';
/** a phrase in one paragraph of eight, for the body search */
export const BODY_SEARCH_PHRASE = 'phòng chống thiên tai';

const PARAGRAPHS = [
  'Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về đẩy mạnh ứng dụng công nghệ thông tin trong hoạt động của cơ quan nhà nước, đề nghị các đơn vị khẩn trương rà soát, cập nhật danh sách cán bộ, công chức, viên chức sử dụng hộp thư điện tử công vụ.',
  'Các xã, phường, thị trấn chủ động xây dựng phương án phòng chống thiên tai và tìm kiếm cứu nạn năm nay, bố trí lực lượng trực ban 24/24 giờ trong mùa mưa lũ và báo cáo kịp thời về Ban Chỉ huy tỉnh.',
  'Kinh phí thực hiện được bố trí từ nguồn ngân sách nhà nước theo phân cấp hiện hành; các đơn vị lập dự toán chi tiết, gửi Sở Tài chính thẩm định trước ngày 15 của tháng cuối quý để tổng hợp, trình Ủy ban nhân dân tỉnh xem xét.',
  'Đề nghị Thủ trưởng các cơ quan, đơn vị quán triệt đến toàn thể cán bộ, công chức, người lao động; tổ chức thực hiện nghiêm túc, hiệu quả các nội dung trên và chịu trách nhiệm trước Chủ tịch Ủy ban nhân dân tỉnh về kết quả thực hiện.',
  'Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các đơn vị phản ánh về Văn phòng Ủy ban nhân dân tỉnh (qua Phòng Hành chính - Tổ chức, điện thoại 0216.3852.xxx) để được hướng dẫn, giải quyết.',
  'Thời gian tập huấn dự kiến trong hai ngày tại Hội trường Trung tâm Hội nghị tỉnh; học viên mang theo máy tính xách tay có kết nối mạng không dây và tài khoản thư điện tử công vụ đã được cấp.',
  'Sở Giáo dục và Đào tạo phối hợp với Ủy ban nhân dân các huyện, thị xã, thành phố hướng dẫn các trường học trên địa bàn cấp hộp thư cho giáo viên, bảo đảm mỗi giáo viên có một địa chỉ thư riêng để nhận văn bản chỉ đạo.',
  'Việc gửi, nhận văn bản điện tử phải tuân thủ quy định về bảo vệ bí mật nhà nước; không sử dụng thư điện tử công vụ để đăng ký dịch vụ trên mạng xã hội, không chuyển tiếp thư công vụ sang hộp thư cá nhân bên ngoài.',
];

const SIGNATURE = ['', 'Trân trọng,', '', 'Nơi nhận:', '- Như trên;', '- Lãnh đạo UBND tỉnh (để b/c);', '- Lưu: VT, HCTC.'];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number) => String(n).padStart(2, '0');
/** a fixed origin so the corpus is the same on every run: mail of the year before it */
const ORIGIN = Date.UTC(2026, 0, 15, 3, 0, 0);

/** Message i's date: spread over the year before ORIGIN, in Vietnam's time zone (+0700). */
export function dateOf(i: number): Date {
  return new Date(ORIGIN - ((i * 7919) % 365) * 86_400_000 - (i % 600) * 60_000);
}

/** RFC 5322 §3.3 date in +0700. */
function rfc5322Date(d: Date): string {
  const l = new Date(d.getTime() + 7 * 3600_000);
  return `${DAYS[l.getUTCDay()]}, ${l.getUTCDate()} ${MONTHS[l.getUTCMonth()]} ${l.getUTCFullYear()} ${pad(l.getUTCHours())}:${pad(l.getUTCMinutes())}:${pad(l.getUTCSeconds())} +0700`;
}

/** RFC 3501 date-time for APPEND: "15-Jan-2026 10:00:00 +0700". */
export function imapDate(d: Date): string {
  const l = new Date(d.getTime() + 7 * 3600_000);
  return `"${pad(l.getUTCDate())}-${MONTHS[l.getUTCMonth()]}-${l.getUTCFullYear()} ${pad(l.getUTCHours())}:${pad(l.getUTCMinutes())}:${pad(l.getUTCSeconds())} +0700"`;
}

/** RFC 2047 encoded words (B or Q) of at most ~45 bytes of text each. */
function encodeWords(text: string, q: boolean): string {
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch) > 40) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  const encode = (w: string) =>
    q
      ? `=?UTF-8?Q?${[...Buffer.from(w)].map((b) => (b === 0x20 ? '_' : /[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('')}?=`
      : `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`;
  return words.map(encode).join('\r\n ');
}

/** RFC 2045 §6.7 quoted-printable of UTF-8 text, soft line breaks under 76 characters. */
function quotedPrintable(text: string): string {
  return text
    .split('\r\n')
    .map((line) => {
      let out = '';
      let width = 0;
      for (const b of Buffer.from(line)) {
        const ch = b >= 33 && b <= 126 && b !== 61 ? String.fromCharCode(b) : b === 32 ? ' ' : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
        if (width + ch.length > 73) {
          out += '=\r\n';
          width = 0;
        }
        out += ch;
        width += ch.length;
      }
      return out.endsWith(' ') ? `${out.slice(0, -1)}=20` : out;
    })
    .join('\r\n');
}

/** The plain text of message i, about `bytes` long in UTF-8. */
function bodyText(i: number, bytes: number): string {
  const lines = ['Kính gửi: Thủ trưởng các cơ quan, đơn vị.', '', `Số hồ sơ: HS-${i}`, ''];
  let size = Buffer.byteLength(lines.join('\r\n') + SIGNATURE.join('\r\n'));
  // one paragraph in eight carries BODY_SEARCH_PHRASE: the walk starts at a different one per message
  for (let p = i % PARAGRAPHS.length; ; p++) {
    const paragraph = PARAGRAPHS[p % PARAGRAPHS.length]!;
    if (p > i % PARAGRAPHS.length && p % PARAGRAPHS.length === 1) continue;
    const add = Buffer.byteLength(paragraph) + 6;
    if (size + add > bytes) break;
    lines.push(...wrap(paragraph), '');
    size += add;
  }
  return [...lines, ...SIGNATURE].join('\r\n') + '\r\n';
}

/** Message `i` of a mailbox owned by `to`, about `bytes` long; `run` makes Message-IDs unique per run. */
export function makeMessage(i: number, to: string, run: string, bytes = 4096): Buffer {
  const [name, address] = SENDERS[(i * 7) % SENDERS.length]!;
  const subjectOf = SUBJECTS[i % SUBJECTS.length]!;
  const reply = i % 5 === 3;
  const subject = `${reply ? 'Re: ' : ''}${subjectOf(i)}`;
  const q = i % 3 === 0;
  const head = [
    'Return-Path: <' + address + '>',
    `Received: from mail.yenbai.gov.vn (mail.yenbai.gov.vn [203.162.0.${i % 250}]) by mx.${DOMAIN} with ESMTPS id ${run}${i}; ${rfc5322Date(dateOf(i))}`,
    `From: ${encodeWords(name, q)} <${address}>`,
    `To: ${encodeWords(`Cán bộ ${to.split('@')[0]}`, !q)} <${to}>`,
    ...(i % 4 === 1 ? [`Cc: ${encodeWords(SENDERS[(i + 5) % SENDERS.length]![0], q)} <${SENDERS[(i + 5) % SENDERS.length]![1]}>, ${SENDERS[(i + 9) % SENDERS.length]![1]}`] : []),
    `Subject: ${encodeWords(subject, q)}`,
    `Date: ${rfc5322Date(dateOf(i))}`,
    `Message-ID: <${run}.${i}.${to.split('@')[0]}@yenbai.gov.vn>`,
    ...(reply ? [`In-Reply-To: <${run}.${i - 3}.${to.split('@')[0]}@yenbai.gov.vn>`, `References: <${run}.${i - 3}.${to.split('@')[0]}@yenbai.gov.vn>`] : []),
    'MIME-Version: 1.0',
    ...(i % 6 === 2 ? ['X-Priority: 1 (Highest)', 'Importance: high'] : []),
    'User-Agent: Mozilla Thunderbird',
    'Content-Language: vi-VN',
  ];
  const shape = i % 4;
  const room = bytes - Buffer.byteLength(head.join('\r\n')) - 200;
  if (shape === 0 || shape === 1) {
    head.push('Content-Type: text/plain; charset=UTF-8; format=flowed', 'Content-Transfer-Encoding: 8bit');
    return Buffer.from(`${head.join('\r\n')}\r\n\r\n${bodyText(i, room)}`);
  }
  if (shape === 2) {
    head.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable');
    // quoted-printable of Vietnamese grows the text by about 1.6×
    return Buffer.from(`${head.join('\r\n')}\r\n\r\n${quotedPrintable(bodyText(i, Math.round(room / 1.6)))}\r\n`);
  }
  const boundary = `----=_Part_${run}_${i}`;
  const text = bodyText(i, Math.round(room / 2.2));
  const html = `<html><body><div>${text.split('\r\n').map((l) => (l ? `<p>${l}</p>` : '')).join('')}</div></body></html>`;
  const base64 = Buffer.from(html).toString('base64').replace(/.{76}/g, '$&\r\n');
  head.push(`Content-Type: multipart/alternative; boundary="${boundary}"`);
  return Buffer.from(
    [
      head.join('\r\n'),
      '',
      'This is a multi-part message in MIME format.',
      `--${boundary}`,
      'Content-Type: text/plain; charset=UTF-8; format=flowed',
      'Content-Transfer-Encoding: 8bit',
      '',
      text,
      `--${boundary}`,
      'Content-Type: text/html; charset=UTF-8',
      'Content-Transfer-Encoding: base64',
      '',
      base64,
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}

/** Flags a message arrives with: most read, some flagged or answered. */
export function flagsOf(i: number): string {
  const flags = [];
  if (i % 10 !== 0) flags.push('\\Seen');
  if (i % 17 === 0) flags.push('\\Flagged');
  if (i % 5 === 3) flags.push('\\Answered');
  return `(${flags.join(' ')})`;
}
