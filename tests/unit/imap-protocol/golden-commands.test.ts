import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/imap/protocol/commands.js';
import { ImapBadCharsetError } from '../../../src/imap/protocol/errors.js';
import { goldenCorpusDir, readTranscript } from '../../support/golden.js';
import { readOne } from './support.js';

/**
 * Every command of the Dovecot golden corpus (../shared/imap-golden, `=== C:` lines) must
 * parse, and the two Dovecot answered NO [BADCHARSET] must raise ImapBadCharsetError.
 */

const literal = (bytes: Buffer): Buffer => Buffer.concat([Buffer.from(`{${bytes.length}}\r\n`), bytes]);

/** The README's notation back to wire bytes: non-ASCII quoted strings and {...} descriptions were sent as literals. */
function toWire(command: string): Buffer {
  let text = command.replace(/ \((?:NFD|8-bit)[^)]*\)$/, '');
  const parts: Buffer[] = [];
  const re = /\{windows-1258 bytes of "[^"]*": ([0-9a-f]+)\}|\{\d+ bytes: (.*)\}$|"((?:[^"\\]|\\.)*)"/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    parts.push(Buffer.from(text.slice(last, m.index), 'utf8'));
    last = m.index + m[0].length;
    if (m[1] !== undefined) parts.push(literal(Buffer.from(m[1], 'hex')));
    else if (m[2] !== undefined) {
      const bytes = m[2].replace(/\\r/g, '\r').replace(/\\n/g, '\n').replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
      parts.push(literal(Buffer.from(bytes, 'latin1')));
    } else {
      const body = (m[3] as string).replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
      if (/[^\x20-\x7e]/.test(body) || body !== m[3]) parts.push(literal(Buffer.from(body.normalize(body === m[3] ? 'NFC' : 'NFD'), 'utf8')));
      else parts.push(Buffer.from(m[0], 'utf8'));
    }
  }
  parts.push(Buffer.from(text.slice(last), 'utf8'), Buffer.from('\r\n'));
  text = '';
  return Buffer.concat(parts);
}

const dir = goldenCorpusDir();
const files = [
  ...readdirSync(path.join(dir, 'fetch')).map((f) => path.join(dir, 'fetch', f)),
  path.join(dir, 'search.txt'),
  ...readdirSync(path.join(dir, 'probes')).map((f) => path.join(dir, 'probes', f)),
];
const blocks = files.flatMap((file) => readTranscript(file).map((b) => ({ file: path.basename(file), command: b.command, tagged: b.tagged })));

describe('golden corpus commands (Dovecot 2.3.19 transcripts)', () => {
  it('covers the whole corpus', () => {
    expect(blocks.length).toBeGreaterThan(850);
  });

  it.each(blocks)('$file $command', async ({ command, tagged }) => {
    const cmd = await readOne(toWire(command));
    if (/ NO \[BADCHARSET\]/.test(tagged)) {
      expect(() => parseCommand(cmd)).toThrow(ImapBadCharsetError);
      return;
    }
    const parsed = parseCommand(cmd);
    expect(parsed.tag).toBe(command.split(' ')[0]);
  });
});
