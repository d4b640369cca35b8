import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildDsn, type DsnInput } from '../../../src/delivery/dsn.js';

const original = Buffer.from(
  'From: Nguyen Van A <a@laocai.gov.vn>\r\nTo: <b@example.org>\r\nSubject: Bao cao thang 5\r\n' +
    'Message-ID: <orig-1@laocai.gov.vn>\r\nDate: Tue, 05 May 2026 08:00:00 +0700\r\n\r\nNoi dung bi mat.\r\n',
);

const failedInput: DsnInput = {
  reportingMta: 'mail.laocai.gov.vn',
  to: 'a@laocai.gov.vn',
  arrivalDate: new Date('2026-05-05T01:00:00Z'),
  originalEnvelopeId: 'ENV-42',
  recipients: [
    {
      finalRecipient: 'b@example.org',
      originalRecipient: 'rfc822;b@example.org',
      action: 'failed',
      status: '5.1.1',
      remoteMta: 'mx.example.org',
      diagnostic: '550 5.1.1 <b@example.org>: Recipient address rejected: User unknown in virtual mailbox table',
      lastAttemptDate: new Date('2026-05-05T01:00:05Z'),
    },
  ],
  original,
  date: new Date('2026-05-05T01:00:06Z'),
};

/** The MIME parts of a multipart body, split on its boundary (RFC 2046 §5.1.1). */
function parts(raw: Buffer): { headers: string; body: string }[] {
  const text = raw.toString('utf8');
  const boundary = /boundary="([^"]+)"/.exec(text)![1]!;
  return text
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((p) => {
      const [headers, ...body] = p.replace(/^\r\n/, '').split('\r\n\r\n');
      return { headers: headers!, body: body.join('\r\n\r\n') };
    });
}

/** message/delivery-status field groups (RFC 3464 §2.1) as maps of field name to value. */
function statusGroups(body: string): Map<string, string>[] {
  return body
    .trim()
    .split(/\r\n\r\n/)
    .map((group) => new Map(group.replace(/\r\n[ \t]+/g, ' ').split('\r\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()])));
}

describe('buildDsn (RFC 3464)', () => {
  it('is a multipart/report; report-type=delivery-status from MAILER-DAEMON (RFC 3464 §2, RFC 6522 §3)', async () => {
    const mail = await simpleParser(buildDsn(failedInput));
    expect(mail.from?.value[0]?.address).toBe('MAILER-DAEMON@mail.laocai.gov.vn');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined).toBe('a@laocai.gov.vn');
    expect(mail.subject).toBe('Thư không gửi được / Undelivered Mail Returned to Sender');
    expect(mail.inReplyTo).toBe('<orig-1@laocai.gov.vn>');
    const contentType = mail.headers.get('content-type') as { value: string; params: Record<string, string> };
    expect(contentType.value).toBe('multipart/report');
    expect(contentType.params['report-type']).toBe('delivery-status');
    expect(mail.headers.get('auto-submitted')).toBe('auto-replied');
  });

  it('explains the failure in Vietnamese first, then English', async () => {
    const mail = await simpleParser(buildDsn(failedInput));
    const text = mail.text ?? '';
    const vi = text.indexOf('Thư của bạn không gửi được tới');
    const en = text.indexOf('Your message could not be delivered to');
    expect(vi).toBeGreaterThanOrEqual(0);
    expect(en).toBeGreaterThan(vi);
    expect(text).toContain('<b@example.org> (mx.example.org): 550 5.1.1');
  });

  it('carries Reporting-MTA, Arrival-Date and per-recipient Final-Recipient, Action, Status, Remote-MTA, Diagnostic-Code', () => {
    const [human, status, headers] = parts(buildDsn(failedInput));
    expect(human!.headers).toContain('Content-Type: text/plain; charset=utf-8');
    expect(status!.headers).toContain('Content-Type: message/delivery-status');
    const [perMessage, perRecipient] = statusGroups(status!.body);
    // RFC 3464 §2.2
    expect(perMessage!.get('Original-Envelope-Id')).toBe('ENV-42');
    expect(perMessage!.get('Reporting-MTA')).toBe('dns; mail.laocai.gov.vn');
    expect(perMessage!.get('Arrival-Date')).toBe('Tue, 05 May 2026 01:00:00 +0000');
    // RFC 3464 §2.3
    expect(Object.fromEntries(perRecipient!)).toEqual({
      'Original-Recipient': 'rfc822; b@example.org',
      'Final-Recipient': 'rfc822; b@example.org',
      Action: 'failed',
      Status: '5.1.1',
      'Remote-MTA': 'dns; mx.example.org',
      'Diagnostic-Code': 'smtp; 550 5.1.1 <b@example.org>: Recipient address rejected: User unknown in virtual mailbox table',
      'Last-Attempt-Date': 'Tue, 05 May 2026 01:00:05 +0000',
    });
    // RFC 3464 §2: the third part returns the original headers only, never the body
    expect(headers!.headers).toContain('Content-Type: text/rfc822-headers');
    expect(headers!.body).toContain('Message-ID: <orig-1@laocai.gov.vn>');
    expect(headers!.body).not.toContain('Noi dung bi mat');
  });

  it('keeps every delivery-status line within 78 characters by folding (RFC 5322 §2.2.3)', () => {
    const [, status] = parts(buildDsn(failedInput));
    expect(status!.body.split('\r\n').every((l) => l.length <= 78)).toBe(true);
  });

  it('reports a delay with Action delayed, a 4.x.x Status and Will-Retry-Until (RFC 3464 §2.3.3, §2.3.8)', async () => {
    const raw = buildDsn({
      ...failedInput,
      recipients: [
        {
          finalRecipient: 'c@example.net',
          action: 'delayed',
          status: '4.4.1',
          diagnostic: 'connection refused by mx.example.net',
          willRetryUntil: new Date('2026-05-10T01:00:00Z'),
        },
      ],
    });
    const mail = await simpleParser(raw);
    expect(mail.subject).toContain('Delay');
    expect(mail.text).toContain('Thư của bạn chưa gửi được tới');
    const [, perRecipient] = statusGroups(parts(raw)[1]!.body);
    expect(perRecipient!.get('Final-Recipient')).toBe('rfc822; c@example.net');
    expect(perRecipient!.get('Action')).toBe('delayed');
    expect(perRecipient!.get('Status')).toBe('4.4.1');
    expect(perRecipient!.get('Will-Retry-Until')).toBe('Sun, 10 May 2026 01:00:00 +0000');
  });

  it('reports several recipients, one field group each', () => {
    const raw = buildDsn({
      ...failedInput,
      recipients: [
        { finalRecipient: 'x@example.org', action: 'failed', status: '5.1.1' },
        { finalRecipient: 'y@example.org', action: 'failed', status: '5.2.2' },
      ],
    });
    const groups = statusGroups(parts(raw)[1]!.body);
    expect(groups.slice(1).map((g) => [g.get('Final-Recipient'), g.get('Status')])).toEqual([
      ['rfc822; x@example.org', '5.1.1'],
      ['rfc822; y@example.org', '5.2.2'],
    ]);
  });

  it('uses message/global-delivery-status and utf-8 address type for an internationalized address (RFC 6533)', () => {
    const raw = buildDsn({ ...failedInput, recipients: [{ finalRecipient: 'nguyễn@example.org', action: 'failed', status: '5.1.1' }] });
    const [, status] = parts(raw);
    expect(status!.headers).toContain('Content-Type: message/global-delivery-status');
    expect(statusGroups(status!.body)[1]!.get('Final-Recipient')).toBe('utf-8; nguyễn@example.org');
  });

  it('refuses a malformed status code', () => {
    expect(() => buildDsn({ ...failedInput, recipients: [{ finalRecipient: 'x@example.org', action: 'failed', status: '550' }] })).toThrow(/status code/);
  });
});
