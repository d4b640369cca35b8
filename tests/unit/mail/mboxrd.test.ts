import { describe, expect, it } from 'vitest';
import { MboxrdQuoter, asctime, separatorLine } from '../../../src/mail/archive/mboxrd.js';
import { tarHeader } from '../../../src/mail/archive/tar.js';

/** Quotes `text` fed in pieces of `size` bytes. */
function quote(text: string, size: number): string {
  const input = Buffer.from(text, 'utf8');
  const q = new MboxrdQuoter();
  const out: Buffer[] = [];
  for (let i = 0; i < input.length; i += size) out.push(...q.push(input.subarray(i, i + size)));
  out.push(...q.end());
  return Buffer.concat(out).toString('utf8');
}

/** What an mboxrd reader does to a message's lines. */
const unquote = (text: string) => text.replace(/^>(>*From )/gm, '$1');

describe('mboxrd quoting (RFC 4155 appendix)', () => {
  const cases: Array<[name: string, input: string, quoted: string]> = [
    ['a plain message is unchanged', 'Subject: Giấy mời\r\n\r\nKính gửi\r\n', 'Subject: Giấy mời\r\n\r\nKính gửi\r\n'],
    ['a body line "From " gains one >', 'A\r\nFrom here on\r\n', 'A\r\n>From here on\r\n'],
    ['">From " gains another >', 'A\r\n>From x\r\n>>From y\r\n', 'A\r\n>>From x\r\n>>>From y\r\n'],
    ['the first line counts too', 'From the start\n', '>From the start\n'],
    ['"From" without a space stays', 'Fromage\nFrom:\n', 'Fromage\nFrom:\n'],
    ['"From " inside a line stays', 'x From y\n', 'x From y\n'],
    ['a ">" run not followed by From stays', '>>> trích dẫn\n', '>>> trích dẫn\n'],
    ['an unfinished last line "Fro" stays', 'A\nFro', 'A\nFro'],
    ['an unfinished last line "From " is quoted', 'A\nFrom ', 'A\n>From '],
  ];
  for (const size of [1, 2, 3, 7, 1 << 20]) {
    it(`quotes table cases fed ${size} bytes at a time`, () => {
      for (const [name, input, quoted] of cases) {
        expect(quote(input, size), name).toBe(quoted);
        expect(unquote(quoted), name).toBe(input);
      }
    });
  }

  it('separator lines carry the sender and the asctime date in UTC', () => {
    const d = new Date('2026-03-04T01:02:03Z');
    expect(asctime(d)).toBe('Wed Mar  4 01:02:03 2026');
    expect(separatorLine('Nguyễn Văn An <annv@yenbai.gov.vn>', d).toString()).toBe('From annv@yenbai.gov.vn Wed Mar  4 01:02:03 2026\n');
    expect(separatorLine(null, d).toString()).toBe('From MAILER-DAEMON Wed Mar  4 01:02:03 2026\n');
  });
});

describe('ustar header', () => {
  it('has the magic, an octal size and a checksum a reader accepts', () => {
    const h = tarHeader('annv@yenbai.gov.vn-20261126/folders/001-INBOX.mbox', 1234, new Date(0));
    expect(h.length).toBe(512);
    expect(h.subarray(257, 263).toString('ascii')).toBe('ustar\0');
    expect(h.subarray(124, 135).toString('ascii')).toBe((1234).toString(8).padStart(11, '0'));
    const stored = parseInt(h.subarray(148, 154).toString('ascii'), 8);
    const copy = Buffer.from(h);
    copy.fill(0x20, 148, 156);
    expect(stored).toBe(copy.reduce((a, b) => a + b, 0));
  });

  it('puts a size past 8 GiB in base 256 and refuses a name it cannot hold', () => {
    const h = tarHeader('big.mbox', 9 * 1024 ** 3, new Date(0));
    expect(h[124]).toBe(0x80);
    expect(h.readUIntBE(130, 6)).toBe(9 * 1024 ** 3);
    expect(() => tarHeader('thư.mbox', 1, new Date(0))).toThrow(/printable ASCII/);
    expect(() => tarHeader('x'.repeat(101), 1, new Date(0))).toThrow(/at most 100 bytes/);
  });
});
