import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { parseHeaderBlock } from '../../../src/shared/header-block.js';
import { parseMessage } from '../../../src/mail/mime/index.js';
import { automatedMessageReason, type NoReplyReason } from '../../../src/delivery/vacation-rules.js';
import { vacationReply, dayIn } from '../../../src/delivery/vacation.js';
import { encodeHeaderText, mailboxHeader } from '../../../src/delivery/plain-text-mail.js';
import type { Account } from '../../../src/identity/accounts.js';

const head = (...lines: string[]) => parseHeaderBlock(Buffer.from([...lines, '', ''].join('\r\n')));

describe('which messages get no automatic reply (RFC 3834 §2, RFC 5230 §4.6)', () => {
  const cases: Array<[string, string, string[], NoReplyReason | undefined]> = [
    ['a person writing', 'vanthu@bogiaoduc.test', ['Subject: Hỏi về công văn'], undefined],
    ['Auto-Submitted: no is a person too', 'vanthu@bogiaoduc.test', ['Auto-Submitted: no'], undefined],
    ['the null reverse-path', '', [], 'null-sender'],
    ['Auto-Submitted: auto-replied', 'vanthu@bogiaoduc.test', ['Auto-Submitted: auto-replied'], 'auto-submitted'],
    ['Auto-Submitted: auto-generated with a parameter', 'vanthu@bogiaoduc.test', ['Auto-Submitted: Auto-Generated; owner-email="x@y"'], 'auto-submitted'],
    ['List-Id', 'vanthu@bogiaoduc.test', ['List-Id: <tin-tuc.bogiaoduc.test>'], 'mailing-list'],
    ['List-Unsubscribe', 'vanthu@bogiaoduc.test', ['List-Unsubscribe: <mailto:leave@bogiaoduc.test>'], 'mailing-list'],
    ['Precedence: bulk', 'vanthu@bogiaoduc.test', ['Precedence: bulk'], 'bulk'],
    ['Precedence: junk', 'vanthu@bogiaoduc.test', ['Precedence: Junk'], 'bulk'],
    ['Precedence: list', 'vanthu@bogiaoduc.test', ['Precedence: list'], 'bulk'],
    ['X-Auto-Response-Suppress: OOF', 'vanthu@bogiaoduc.test', ['X-Auto-Response-Suppress: DR, OOF'], 'reply-suppressed'],
    ['MAILER-DAEMON', 'MAILER-DAEMON@bogiaoduc.test', [], 'automated-sender'],
    ['owner-*', 'owner-tintuc@bogiaoduc.test', [], 'automated-sender'],
    ['*-request', 'tintuc-request@bogiaoduc.test', [], 'automated-sender'],
    ['a VERP bounce address', 'tintuc-bounces+annv=yenbai.gov.vn@lists.test', [], 'automated-sender'],
    ['noreply', 'noreply@dichvucong.test', [], 'automated-sender'],
    ['no-reply', 'no-reply@dichvucong.test', [], 'automated-sender'],
    ['do-not-reply', 'do-not-reply@dichvucong.test', [], 'automated-sender'],
    ['a person whose name merely contains "reply"', 'replyan@bogiaoduc.test', [], undefined],
  ];
  it.each(cases)('%s', (_what, mailFrom, lines, reason) => {
    expect(automatedMessageReason(mailFrom, head(...lines))).toBe(reason);
  });

  const auth: Array<[string, string[], NoReplyReason | undefined]> = [
    ['DMARC failed at our MX', ['Authentication-Results: mx.hopthu.test; spf=none smtp.mailfrom=a@b.test; dmarc=fail header.from=b.test'], 'forged-sender'],
    ['SPF failed at our MX and nothing was signed', ['Authentication-Results: mx.hopthu.test;\r\n spf=fail smtp.mailfrom=a@b.test'], 'forged-sender'],
    ['SPF failed but a DKIM signature passed (a forwarder)', ['Authentication-Results: mx.hopthu.test; spf=fail smtp.mailfrom=a@b.test; dkim=pass header.d=b.test'], undefined],
    ["another server's verdict counts for nothing", ['Authentication-Results: mx.khac.test; dmarc=fail header.from=b.test'], undefined],
    ['passed', ['Authentication-Results: mx.hopthu.test; spf=pass smtp.mailfrom=a@b.test; dmarc=pass'], undefined],
  ];
  it.each(auth)('%s', (_what, lines, reason) => {
    expect(automatedMessageReason('vanthu@b.test', head(...lines), 'mx.hopthu.test')).toBe(reason);
  });
});

describe('the reply', () => {
  const account = { id: 1, address: 'annv@yenbai.gov.vn', displayName: 'Nguyễn Văn An' } as Account;
  const original = parseMessage(
    Buffer.from(
      'From: vanthu@bogiaoduc.test\r\nTo: annv@yenbai.gov.vn\r\nSubject: =?UTF-8?B?' + Buffer.from('Công văn số 12/BGD', 'utf8').toString('base64') + '?=\r\n' +
        'Message-ID: <goc-1@bogiaoduc.test>\r\nReferences: <truoc@bogiaoduc.test>\r\n\r\nNội dung\r\n',
    ),
  );
  const vacation = { enabled: true, subject: '', body: 'Tôi đang nghỉ phép đến hết ngày 5/12.\nViệc gấp xin liên hệ đồng chí Bình.', start: null, end: null, days: 7 };

  it('is from the account to the envelope sender, Auto-Submitted: auto-replied, threaded, Vietnamese intact', async () => {
    const raw = vacationReply('mx.hopthu.test', account, 'vanthu@bogiaoduc.test', vacation, original, new Date('2026-11-26T03:00:00Z'));
    for (const line of raw.toString('latin1').split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    const mail = await simpleParser(raw);
    expect(mail.from?.value[0]).toEqual({ address: 'annv@yenbai.gov.vn', name: 'Nguyễn Văn An' });
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined).toBe('vanthu@bogiaoduc.test');
    // RFC 5230 §4.3 / RFC 3834 §3.1.5: "Auto: " and the original subject
    expect(mail.subject).toBe('Auto: Công văn số 12/BGD');
    expect(mail.headers.get('auto-submitted')).toBe('auto-replied');
    expect(mail.inReplyTo).toBe('<goc-1@bogiaoduc.test>');
    expect(mail.references).toEqual(['<truoc@bogiaoduc.test>', '<goc-1@bogiaoduc.test>']);
    expect(mail.text?.trimEnd()).toBe(vacation.body);
  });

  it('repeats no msg-id too long for a header line', async () => {
    const long = parseMessage(Buffer.from(`From: a@b.test\r\nSubject: x\r\nMessage-ID: <${'x'.repeat(300)}@b.test>\r\n\r\nx\r\n`));
    const mail = await simpleParser(vacationReply('mx.hopthu.test', account, 'a@b.test', vacation, long, new Date()));
    expect(mail.inReplyTo).toBeUndefined();
    expect(mail.headers.has('references')).toBe(false);
  });

  it('takes the configured subject as it is', async () => {
    const raw = vacationReply('mx.hopthu.test', account, 'vanthu@bogiaoduc.test', { ...vacation, subject: 'Tự động trả lời: đang nghỉ phép' }, original, new Date());
    expect((await simpleParser(raw)).subject).toBe('Tự động trả lời: đang nghỉ phép');
  });
});

describe('header text (RFC 2047)', () => {
  it('splits a long Vietnamese text into encoded-words of at most 75 characters, never inside a character', async () => {
    const text = 'Thông báo về việc tổ chức hội nghị tổng kết công tác năm của Ủy ban nhân dân tỉnh Yên Bái';
    const encoded = encodeHeaderText(text);
    const words = encoded.split('\r\n ');
    expect(words.length).toBeGreaterThan(1);
    for (const w of words) expect(w.length).toBeLessThanOrEqual(75);
    expect((await simpleParser(Buffer.from(`Subject: ${encoded}\r\n\r\n`))).subject).toBe(text);
  });

  it('quotes an ASCII display name and leaves printable ASCII as it is', () => {
    expect(encodeHeaderText('Out of office')).toBe('Out of office');
    expect(mailboxHeader('Van "Thu"', 'vt@x.test')).toBe('"Van \\"Thu\\"" <vt@x.test>');
    expect(mailboxHeader('', 'vt@x.test')).toBe('vt@x.test');
  });
});

describe('the calendar day of the vacation window', () => {
  it('is taken in the given time zone', () => {
    // 20:00 UTC on the 30th is already the 1st in Hà Nội (UTC+7)
    expect(dayIn('Asia/Ho_Chi_Minh', new Date('2026-11-30T20:00:00Z'))).toBe('2026-12-01');
    expect(dayIn('UTC', new Date('2026-11-30T20:00:00Z'))).toBe('2026-11-30');
  });
});
