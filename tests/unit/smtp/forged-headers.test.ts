import { describe, expect, it } from 'vitest';
import { withoutForgedAuthResults } from '../../../src/smtp/forged-headers.js';

const msg = (s: string) => Buffer.from(s, 'latin1');

describe('RFC 8601 §5: forged Authentication-Results are removed', () => {
  it('removes a field claiming our authserv-id, with its continuation lines, and keeps the rest byte for byte', () => {
    const head = msg('From: a@b.test\r\nAuthentication-Results: MX.hopthu.test;\r\n\tspf=pass smtp.mailfrom=b.test\r\nAuthentication-Results: other.example; dkim=pass\r\nSubject: x\r\n\r\nbody\r\n');
    const out = withoutForgedAuthResults(head, 'mx.hopthu.test')!;
    expect(out.header.toString('latin1')).toBe('From: a@b.test\r\nAuthentication-Results: other.example; dkim=pass\r\nSubject: x\r\n');
    expect(head.subarray(out.resumeAt).toString('latin1')).toBe('\r\nbody\r\n');
  });

  it.each([
    ['no such field', 'From: a@b.test\r\n\r\nbody'],
    ['another server\'s field', 'Authentication-Results: relay.example; spf=pass\r\n\r\nbody'],
    ['a lookalike id', 'Authentication-Results: mx.hopthu.test.evil; spf=pass\r\n\r\n'],
    ['no end of header in sight', 'Authentication-Results: mx.hopthu.test; spf=pass\r\nX: y'],
  ])('leaves the message untouched when there is %s', (_name, text) => {
    expect(withoutForgedAuthResults(msg(text), 'mx.hopthu.test')).toBeUndefined();
  });

  it('handles bare LF line ends', () => {
    const head = msg('Authentication-Results: mx.hopthu.test; dkim=pass\nSubject: x\n\nbody\n');
    const out = withoutForgedAuthResults(head, 'mx.hopthu.test')!;
    expect(out.header.toString('latin1')).toBe('Subject: x\n');
    expect(head.subarray(out.resumeAt).toString('latin1')).toBe('\nbody\n');
  });
});
