/**
 * FETCH answers for the 59 golden messages, checked block by block against what Dovecot
 * 2.3.19 answered (../shared/imap-golden/fetch/NNN.txt). Both answers are parsed into
 * IMAP value trees and compared strictly, except where the corpus README allows a
 * difference (quoted vs literal, item order) or where we deliberately differ (EXCEPTIONS).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMessage, type ParsedMessage } from '../../../src/mail/mime/index.js';
import { renderBodyStructure } from '../../../src/imap/protocol/body-structure.js';
import { renderEnvelope } from '../../../src/imap/protocol/envelope.js';
import { imapString } from '../../../src/imap/protocol/imap-string.js';
import {
  UnknownTransferEncodingError,
  binarySection,
  binarySize,
  bodySection,
  parseSectionSpec,
  sectionLabel,
  type PartialRange,
} from '../../../src/imap/protocol/sections.js';
import {
  diffValues,
  goldenCorpusDir,
  parseFetchResponses,
  readManifest,
  readTranscript,
  show,
  type Block,
  type ImapValue,
  type ManifestMessage,
} from '../../support/golden.js';

interface Answer {
  untagged: Buffer;
  /** "OK" or "NO [CODE]" */
  status: string;
}

/**
 * A deliberate difference from Dovecot: the item is checked against our own rule instead.
 * Every one is a BINARY.SIZE that Dovecot reports differently from the length of its own
 * BINARY answer for the same part (corpus README: "BINARY.SIZE does not equal the length
 * of BINARY ... This is Dovecot behaviour, not a requirement"). RFC 3516 §4.2 defines
 * BINARY.SIZE as the size of the decoded section, so ours is the length BINARY returns, and
 * that equals the length of Dovecot's own BINARY literal for the part.
 */
interface Exception {
  item: string;
  section: number[];
  /** what Dovecot answered, so the explanation cannot go stale */
  dovecotSize: number;
  why: string;
}

const sizeException = (section: number[], dovecotSize: number, dovecotBinary: number, what: string): Exception => ({
  item: `BINARY.SIZE[${section.join('.')}]`,
  section,
  dovecotSize,
  why: `${what}: Dovecot says ${dovecotSize} but its BINARY[${section.join('.')}] is ~{${dovecotBinary}}`,
});

const EXCEPTIONS: Record<string, Exception> = {
  'F010.16': sizeException([2], 2009, 2569, 'base64 application/pdf'),
  'F011.16': sizeException([2], 862, 900, 'base64 spreadsheet'),
  'F012.20': sizeException([1], 1524, 1808, 'multipart/related with decoded leaves'),
  'F015.16': sizeException([1], 616, 1059, 'multipart/mixed with decoded leaves'),
  'F019.16': sizeException([2], 50, 96, 'base64 text/plain'),
  'F049.16': sizeException([1], 609, 798, 'multipart/alternative with decoded leaves'),
};

/** the octet count of Dovecot's own BINARY answer for the section, from the same transcript */
function dovecotBinaryLength(blocks: readonly Block[], section: number[]): number {
  const wanted = `BINARY[${section.join('.')}]`;
  for (const b of blocks) {
    for (const r of parseFetchResponses(b.untagged)) {
      const v = r.items.get(wanted);
      if (v?.type === 'string') return v.bytes.length;
    }
  }
  throw new Error(`no ${wanted} answer in the transcript`);
}

/** splits a FETCH item list at top-level spaces: BODY.PEEK[HEADER.FIELDS (A B)]<0.10> is one item */
function splitItems(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ' ' && depth === 0) {
      if (cur) items.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) items.push(cur);
  return items;
}

const MACROS: Record<string, string[]> = {
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

function requestedItems(command: string): { uid: number; items: string[] } {
  const m = /^\S+ UID FETCH (\d+) (.*)$/.exec(command);
  if (!m) throw new Error(`not a UID FETCH: ${command}`);
  const spec = m[2] as string;
  const items = spec.startsWith('(') ? splitItems(spec.slice(1, -1)) : (MACROS[spec.toUpperCase()] ?? [spec]);
  return { uid: Number(m[1]), items };
}

const literal = (bytes: Buffer, literal8 = false): Buffer =>
  Buffer.concat([Buffer.from(`${literal8 ? '~' : ''}{${bytes.length}}\r\n`), bytes]);

function parsePartial(text: string | undefined): PartialRange | undefined {
  if (!text) return undefined;
  const [offset, length] = text.split('.').map(Number);
  return { offset: offset as number, length: length as number };
}

/** answers one FETCH item the way the IMAP layer will, using only src/mail/mime and src/imap/protocol */
function answerItem(item: string, raw: Buffer, parsed: ParsedMessage, meta: ManifestMessage): [string, Buffer] {
  const upper = item.toUpperCase();
  switch (upper) {
    case 'UID':
      return ['UID', Buffer.from(String(meta.uid))];
    case 'FLAGS':
      return ['FLAGS', Buffer.from(`(${meta.flags_returned.join(' ')})`)];
    case 'INTERNALDATE':
      return ['INTERNALDATE', imapString(Buffer.from(meta.internaldate_returned))];
    case 'RFC822.SIZE':
      return ['RFC822.SIZE', Buffer.from(String(parsed.size))];
    case 'ENVELOPE':
      return ['ENVELOPE', renderEnvelope(parsed.root.envelope)];
    case 'BODYSTRUCTURE':
      return ['BODYSTRUCTURE', renderBodyStructure(parsed.root, true)];
    case 'BODY':
      return ['BODY', renderBodyStructure(parsed.root, false)];
    case 'RFC822':
      return ['RFC822', literal(bodySection(raw, parsed.root, parseSectionSpec('')))];
    case 'RFC822.HEADER':
      return ['RFC822.HEADER', literal(bodySection(raw, parsed.root, parseSectionSpec('HEADER')))];
    case 'RFC822.TEXT':
      return ['RFC822.TEXT', literal(bodySection(raw, parsed.root, parseSectionSpec('TEXT')))];
  }
  const m = /^(BODY|BODY\.PEEK|BINARY|BINARY\.PEEK|BINARY\.SIZE)\[(.*)\](?:<(\d+\.\d+)>)?$/is.exec(item);
  if (!m) throw new Error(`unsupported FETCH item ${item}`);
  const kind = (m[1] as string).toUpperCase();
  const partial = parsePartial(m[3]);
  const origin = partial ? `<${partial.offset}>` : '';
  const spec = parseSectionSpec(m[2] as string);
  if (kind.startsWith('BODY')) {
    return [`BODY[${sectionLabel(spec)}]${origin}`, literal(bodySection(raw, parsed.root, spec, partial))];
  }
  if (spec.text) throw new Error(`BINARY takes part numbers only: ${item}`);
  const label = spec.part.join('.');
  if (kind === 'BINARY.SIZE') return [`BINARY.SIZE[${label}]`, Buffer.from(String(binarySize(raw, parsed.root, spec.part)))];
  const section = binarySection(raw, parsed.root, spec.part, partial);
  return [`BINARY[${label}]${origin}`, literal(section.bytes, section.needsLiteral8)];
}

function answerFetch(block: Block, raw: Buffer, parsed: ParsedMessage, meta: ManifestMessage): Answer {
  const { items } = requestedItems(block.command);
  const parts: Buffer[] = [];
  const add = ([name, value]: [string, Buffer]): void => {
    parts.push(Buffer.from(`${parts.length > 0 ? ' ' : ''}${name} `), value);
  };
  add(answerItem('UID', raw, parsed, meta)); // UID FETCH always reports UID (RFC 3501 §6.4.8)
  const line = (body: Buffer[]): Buffer => Buffer.concat([Buffer.from(`* ${meta.seq} FETCH (`), ...body, Buffer.from(')\r\n')]);
  try {
    for (const item of items) if (item.toUpperCase() !== 'UID') add(answerItem(item, raw, parsed, meta));
  } catch (err) {
    if (!(err instanceof UnknownTransferEncodingError)) throw err;
    // RFC 3516 §4.3: NO [UNKNOWN-CTE]; like Dovecot, the untagged answer then carries only the UID
    return { untagged: line(parts.slice(0, 2)), status: `NO [${err.code}]` };
  }
  return { untagged: line(parts), status: 'OK' };
}

const statusOf = (tagged: string): string => {
  const m = /^\S+ (OK|NO|BAD)( \[[^\]]*\])?/.exec(tagged);
  return m ? `${m[1]}${m[2] ?? ''}` : tagged;
};

function compareBlock(block: Block, siblings: readonly Block[], raw: Buffer, parsed: ParsedMessage, meta: ManifestMessage): void {
  const tag = block.command.split(' ')[0] as string;
  const ours = answerFetch(block, raw, parsed, meta);
  expect(ours.status, 'tagged status').toBe(statusOf(block.tagged));
  const mine = parseFetchResponses(ours.untagged);
  const theirs = parseFetchResponses(block.untagged);
  expect(mine.map((r) => r.seq)).toEqual(theirs.map((r) => r.seq));
  mine.forEach((response, i) => {
    const expected = (theirs[i] as (typeof theirs)[number]).items;
    expect([...response.items.keys()].sort(), 'item names').toEqual([...expected.keys()].sort());
    for (const [name, value] of response.items) {
      const dovecot = expected.get(name) as ImapValue;
      const exception = EXCEPTIONS[tag];
      if (exception?.item === name) {
        expect(dovecot, `${tag}: Dovecot's answer`).toEqual({ type: 'atom', text: String(exception.dovecotSize) });
        const ourLength = binarySection(raw, parsed.root, exception.section).bytes.length;
        expect(value, exception.why).toEqual({ type: 'atom', text: String(ourLength) });
        expect(ourLength, exception.why).toBe(dovecotBinaryLength(siblings, exception.section));
        continue;
      }
      const diff = diffValues(value, dovecot, name);
      expect(diff, `${name}: ours ${show(value)}`).toBe('');
    }
  });
}

function loadCorpus(): { dir: string; messages: ManifestMessage[] } | Error {
  try {
    const dir = goldenCorpusDir();
    return { dir, messages: readManifest(dir) };
  } catch (err) {
    return err as Error;
  }
}

const corpus = loadCorpus();

describe('FETCH answers match the Dovecot golden corpus', () => {
  if (corpus instanceof Error) {
    it('finds the golden corpus at ../shared/imap-golden', () => {
      throw corpus;
    });
    return;
  }
  it('has the 59 messages and 803 FETCH commands the README promises', () => {
    expect(corpus.messages).toHaveLength(59);
    const blocks = corpus.messages.flatMap((m) => readTranscript(path.join(corpus.dir, m.fetch)));
    expect(blocks).toHaveLength(803);
  });
  for (const meta of corpus.messages) {
    describe(path.basename(meta.file), () => {
      const raw = readFileSync(path.join(corpus.dir, meta.file));
      const parsed = parseMessage(raw);
      const blocks = readTranscript(path.join(corpus.dir, meta.fetch));
      for (const block of blocks) {
        const [tag, , , , ...rest] = block.command.split(' ');
        const exception = EXCEPTIONS[tag as string];
        const title = `${tag} ${rest.join(' ')}${exception ? ` (deliberate difference: ${exception.why})` : ''}`;
        it(title, () => compareBlock(block, blocks, raw, parsed, meta));
      }
    });
  }
});
