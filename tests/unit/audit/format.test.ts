import { describe, expect, it } from 'vitest';
import { bodyAroundTime, canonical, canonicalBody, eventHash, type HashedFields } from '../../../src/audit/canonical.js';
import { csvField, csvRecord } from '../../../src/audit/csv.js';
import { escapeParamValue, formatSyslogMessage, frameOctetCounted, severityOf } from '../../../src/audit/syslog-message.js';
import { parseIpFilter } from '../../../src/audit/filter.js';
import { parseTimeOption } from '../../../src/cli/commands/audit.js';
import { createHash } from 'node:crypto';

const fields: HashedFields = { actor: 'annv@yenbai.gov.vn', action: 'auth.imap.failure', target: null, source: '10.0.0.1', agencyId: null, data: { z: 1, a: [true, null] } };

describe('canonical body and hash', () => {
  it('sorts keys at every level and leaves undefined out', () => {
    expect(canonical({ b: 1, a: { d: 'x', c: undefined } })).toBe('{"a":{"d":"x"},"b":1}');
  });

  it('hashes events without an agency exactly as before agencies existed', () => {
    const at = '2026-01-02T03:04:05.678Z';
    const before = createHash('sha256').update('0'.repeat(64)).update('\n')
      .update(canonical({ at, actor: fields.actor, action: fields.action, target: null, source: fields.source, data: fields.data })).digest('hex');
    expect(eventHash('0'.repeat(64), at, fields)).toBe(before);
    expect(eventHash('0'.repeat(64), at, { ...fields, agencyId: 4 })).not.toBe(before);
  });

  it('writes the body as the generic canonical form would, with or without an agency', () => {
    const at = '2026-01-02T03:04:05.678Z';
    for (const f of [fields, { ...fields, agencyId: 12, target: 'Nguyễn "An"', data: { b: { y: [1, { d: 2, c: 3 }] }, a: 'x' } }]) {
      const { agencyId, ...rest } = f;
      expect(canonicalBody(at, f)).toBe(canonical({ at, ...rest, agencyId: agencyId ?? undefined }));
    }
  });

  it('splits the body around its time so PostgreSQL can put the time in', () => {
    for (const f of [fields, { ...fields, agencyId: 9, target: '"at":"x"', data: { at: 'nested' } }]) {
      const { head, tail } = bodyAroundTime(f);
      const at = '2026-01-02T03:04:05.678Z';
      expect(head.endsWith('"at":"')).toBe(true);
      expect(createHash('sha256').update('p').update('\n').update(head + at + tail).digest('hex')).toBe(eventHash('p', at, f));
    }
  });
});

describe('RFC 4180 CSV', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\r\nlines', '"two\r\nlines"'],
    ['Nguyễn', 'Nguyễn'],
  ])('%j is written as %j', (value, written) => expect(csvField(value)).toBe(written));

  it('ends records with CRLF and guards formulas only when asked', () => {
    expect(csvRecord(['=1+1', '-2', '@x', 'ok'])).toBe('=1+1,-2,@x,ok\r\n');
    expect(csvRecord(['=1+1', '-2', '@x', 'ok'], true)).toBe("'=1+1,'-2,'@x,ok\r\n");
  });
});

describe('RFC 5424 syslog messages', () => {
  const event = {
    id: 42, at: new Date('2026-11-26T01:02:03.456Z'), actor: 'annv@yenbai.gov.vn', action: 'auth.imap.failure', target: 'a]b"c\\d',
    source: '10.0.0.1', agencyId: null, data: { reason: 'bad-credentials' }, prevHash: 'p'.repeat(64), hash: 'h'.repeat(64),
  };

  it('escapes ", \\ and ] in parameter values (§6.3.3)', () => {
    expect(escapeParamValue('a]b"c\\d')).toBe('a\\]b\\"c\\\\d');
  });

  it('formats header, structured data and a BOM-prefixed UTF-8 message', () => {
    expect(formatSyslogMessage(event, 'mail.yenbai.gov.vn')).toBe(
      `<108>1 2026-11-26T01:02:03.456Z mail.yenbai.gov.vn hopthu - auth.imap.failure [hopthu@32473 id="42" actor="annv@yenbai.gov.vn" action="auth.imap.failure" target="a\\]b\\"c\\\\d" source="10.0.0.1" hash="${'h'.repeat(64)}" prevHash="${'p'.repeat(64)}"] \uFEFF{"reason":"bad-credentials"}`,
    );
    expect(severityOf('auth.lockout')).toBe(4);
    expect(severityOf('account.add')).toBe(5);
  });

  it('frames with the length in octets, not characters (RFC 6587 §3.4.1)', () => {
    expect(frameOctetCounted('Hà Nội').toString('utf8')).toBe('9 Hà Nội');
  });
});

describe('filters and CLI options', () => {
  it.each([['10.0.0.5', '10.0.0.5'], [' 10.0.0.0/8', '10.0.0.0/8'], ['2001:db8::/32', '2001:db8::/32']])('accepts %j', (input, out) => expect(parseIpFilter(input)).toBe(out));
  it.each(['10.0.0.0/33', '::/129', 'cli', '10.0.0.0/8/1', '10.0.0.0/'])('refuses %j', (input) => expect(() => parseIpFilter(input)).toThrow(/is not an IP address or CIDR block/));

  it('reads times as ISO 8601 or a span back from now', () => {
    expect(parseTimeOption('2026-11-01', '--since').toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(parseTimeOption('2026-11-01T08:00:00+07:00', '--since').toISOString()).toBe('2026-11-01T01:00:00.000Z');
    expect(Math.abs(Date.now() - 24 * 3_600_000 - parseTimeOption('24h', '--since').getTime())).toBeLessThan(1000);
    expect(() => parseTimeOption('yesterday', '--since')).toThrow('--since "yesterday" is not a time; write for example 2026-11-01, 2026-11-01T08:00:00+07:00, or 24h for 24 hours ago');
    expect(() => parseTimeOption('2026-13-45', '--until')).toThrow(/--until "2026-13-45" is not a time/);
  });
});
