import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandReader, type CommandReaderOwner, type LiteralDecision } from '../../../src/imap/protocol/command-reader.js';
import { parseCommand } from '../../../src/imap/protocol/commands.js';
import { parseDateTime, parseSearchDate } from '../../../src/imap/protocol/datetime.js';
import { ImapBadCharsetError, ImapSyntaxError, ValueSyntaxError } from '../../../src/imap/protocol/errors.js';
import { normalizeFlag } from '../../../src/imap/protocol/flags.js';
import { decodeMailboxName, decodeModifiedUtf7 } from '../../../src/imap/protocol/mailbox-name.js';
import { parseSequenceSet } from '../../../src/imap/protocol/sequence-set.js';
import { goldenCorpusDir, readTranscript } from '../../support/golden.js';
import { seededRandom } from '../../support/seeded-random.js';

/**
 * Bounded fuzzing: random and mutated commands through the reader and the parsers, with
 * random chunking and random literal decisions. Nothing may throw but the typed errors,
 * and every push must settle.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20240304);
const BUDGET_MS = 2500;

const rng = seededRandom;

const SEEDS = [
  'A1 LOGIN {5}\r\nan.nv {6+}\r\nsecret',
  'A2 APPEND "Th&AbA-" (\\Seen $X) "04-Mar-2024 08:15:02 +0700" ~{3}\r\na\0b (\\Draft) {2+}\r\nhi UTF8 (~{1+}\r\nx)',
  'A3 UID FETCH 1:*,5 (FLAGS BODY.PEEK[HEADER.FIELDS (FROM "TO")]<0.10> BINARY[1]<2.3> BINARY.SIZE[2] RFC822.SIZE) (CHANGEDSINCE 7 VANISHED)',
  'A4 SEARCH RETURN (MIN SAVE) CHARSET UTF-8 OR (FLAGGED SINCE 7-Mar-2024) NOT (SUBJECT {3}\r\nabc) UID $ MODSEQ "/flags/\\\\seen" all 5 YOUNGER 9',
  'A5 SORT RETURN (COUNT) (REVERSE DATE DISPLAYFROM) WINDOWS-1258 HEADER X-A "b" LARGER 5',
  'A6 THREAD REFERENCES UTF-8 ALL',
  'A7 LIST (SUBSCRIBED RECURSIVEMATCH) "" ("INBOX" %/&AN8-*) RETURN (CHILDREN STATUS (MESSAGES HIGHESTMODSEQ) SPECIAL-USE)',
  'A8 SELECT INBOX (QRESYNC (1 2 3:4 (1:2 3:4)) CONDSTORE)',
  'A9 STORE 1:3 (UNCHANGEDSINCE 0) -FLAGS.SILENT (\\Deleted kw)',
  'B1 ID ("name" "x" "v" NIL)',
  'B2 AUTHENTICATE PLAIN AGFuAHB3',
  'B3 SETACL INBOX "an" +lrs',
  'B4 STATUS INBOX (MESSAGES UIDNEXT)',
  'B5 CREATE X (USE (\\Sent))',
  'B6 SETQUOTA "" (STORAGE 5)',
  'B7 ENABLE QRESYNC UTF8=ACCEPT',
];

const TOKENS = ['(', ')', '"', '\\', '{', '}', '{5}\r\n', '{3+}\r\n', '~{2}\r\n', '{0}\r\n', '{99999999999}\r\n', '\r\n', '\n', ' ', '  ', '*', '$', ':', ',', '[', ']', '<', '>', '.', '0', '4294967296', 'NIL', 'UID', 'OR', 'NOT', 'RETURN', 'CHARSET', '&', '&-', '-', '\0', '\xff', 'ư', '+'];

function goldenCommands(): string[] {
  const dir = goldenCorpusDir();
  const files = [...readdirSync(path.join(dir, 'fetch')).slice(0, 10).map((f) => path.join(dir, 'fetch', f)), path.join(dir, 'search.txt')];
  return files.flatMap((f) => readTranscript(f).map((b) => b.command.replace(/ \((?:NFD|8-bit)[^)]*\)$/, '').replace(/\{[^}]*bytes[^}]*\}/, '{3}\r\nabc')));
}

function mutate(base: Buffer, r: () => number): Buffer {
  let b = Buffer.from(base);
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * (b.length + 1));
    const op = r();
    if (op < 0.3 && b.length > 0) {
      b[Math.min(at, b.length - 1)] = Math.floor(r() * 256);
    } else if (op < 0.6) {
      const tok = Buffer.from(TOKENS[Math.floor(r() * TOKENS.length)] as string, 'latin1');
      b = Buffer.concat([b.subarray(0, at), tok, b.subarray(at)]);
    } else if (op < 0.8) {
      b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + Math.floor(r() * 8)))]);
    } else {
      const from = Math.floor(r() * b.length);
      b = Buffer.concat([b.subarray(0, at), b.subarray(from, from + Math.floor(r() * 12)), b.subarray(at)]);
    }
  }
  return b;
}

const typed = (err: unknown): boolean => err instanceof ImapSyntaxError || err instanceof ImapBadCharsetError;

describe(`fuzz (seed ${SEED}; FUZZ_SEED=n to replay)`, () => {
  it('reader and parsers throw only their typed errors and never hang', async () => {
    const r = rng(SEED);
    const corpus = [...SEEDS, ...goldenCommands()].map((c) => Buffer.from(c.endsWith('\r\n') ? c : `${c}\r\n`, 'utf8'));
    const stats = { inputs: 0, commands: 0, parsed: 0, syntax: 0, rejected: 0 };
    const start = Date.now();
    while (Date.now() - start < BUDGET_MS) {
      stats.inputs++;
      let input: Buffer;
      const kind = r();
      if (kind < 0.1) input = Buffer.from(Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256)));
      else {
        const a = corpus[Math.floor(r() * corpus.length)] as Buffer;
        const b = corpus[Math.floor(r() * corpus.length)] as Buffer;
        input = mutate(kind < 0.2 ? Buffer.concat([a, b]) : a, r);
      }
      const utf8 = r() < 0.3;
      const owner: CommandReaderOwner = {
        literal(): LiteralDecision {
          const x = r();
          if (x < 0.5) return { mode: 'buffer', maxOctets: 1 + Math.floor(r() * 64) };
          if (x < 0.8) return { mode: 'stream', sink: { write: () => (r() < 0.01 ? Promise.reject(new Error('sink')) : undefined), end: () => 'h', abort: () => {} } };
          return { mode: 'refuse', status: 'NO', text: 'no' };
        },
        continuationRequest() {},
        command(cmd) {
          stats.commands++;
          try {
            parseCommand(cmd, { utf8 });
            stats.parsed++;
          } catch (err) {
            if (!typed(err)) throw new Error(`untyped ${String(err)} for ${JSON.stringify(input.toString('latin1'))}`);
            stats.syntax++;
          }
        },
        rejected() {
          stats.rejected++;
        },
        line() {},
      };
      const reader = new CommandReader(owner, { nonSynchronizingLiterals: r() < 0.5 ? 'LITERAL+' : 'LITERAL-' });
      let at = 0;
      while (at < input.length) {
        const size = 1 + Math.floor(r() * 40);
        await reader.push(input.subarray(at, at + size));
        at += size;
      }
      await reader.end();
    }
    expect(stats.inputs).toBeGreaterThan(1000);
    expect(stats.parsed).toBeGreaterThan(0);
    expect(stats.syntax + stats.rejected).toBeGreaterThan(0);
  });

  it('value helpers throw only ValueSyntaxError', () => {
    const r = rng(SEED + 1);
    const alphabet = '0123456789:,*$-+&AZaz /\\"()[]%\x00\x7f\xffJanFebDec';
    const helpers = [
      parseSequenceSet,
      parseDateTime,
      parseSearchDate,
      normalizeFlag,
      decodeModifiedUtf7,
      (t: string) => decodeMailboxName(Buffer.from(t, 'latin1'), { utf8: r() < 0.5 }),
    ];
    const start = Date.now();
    let runs = 0;
    while (Date.now() - start < 300) {
      const text = Array.from({ length: Math.floor(r() * 30) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
      for (const h of helpers) {
        runs++;
        try {
          h(text);
        } catch (err) {
          if (!(err instanceof ValueSyntaxError)) throw new Error(`untyped ${String(err)} for ${JSON.stringify(text)}`);
        }
      }
    }
    expect(runs).toBeGreaterThan(1000);
  });
});
