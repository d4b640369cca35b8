/**
 * The IMAP golden corpus (../shared/imap-golden, reference answers captured from Dovecot):
 * locating it, reading its transcripts, and parsing IMAP response data into trees so two
 * answers can be compared by meaning (a quoted string equals a literal with the same octets).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const GOLDEN_DIR = path.resolve(process.cwd(), '../shared/imap-golden');

/** The corpus folder; throws a clear error when it is missing (tests must fail, not skip). */
export function goldenCorpusDir(): string {
  if (!existsSync(path.join(GOLDEN_DIR, 'manifest.json'))) {
    throw new Error(
      `IMAP golden corpus not found at ${GOLDEN_DIR} (expected manifest.json there). ` +
        'Run the tests from the repository root with the shared corpus checked out beside it as ../shared/imap-golden.',
    );
  }
  return GOLDEN_DIR;
}

export interface ManifestMessage {
  seq: number;
  file: string;
  internaldate: string;
  flags: string[];
  bytes: number;
  uid: number;
  rfc822_size: number;
  internaldate_returned: string;
  flags_returned: string[];
  sections: { section: string; kind: string; type: string; encoding: string }[];
  fetch: string;
  tests: string;
}

export function readManifest(dir = goldenCorpusDir()): ManifestMessage[] {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { messages: ManifestMessage[] };
  return manifest.messages;
}

export interface Block {
  notes: string[];
  /** the command as sent, tag included */
  command: string;
  /** the untagged responses, byte for byte */
  untagged: Buffer;
  /** the tagged status line, tag included */
  tagged: string;
}

/** Splits a transcript (fetch/NNN.txt, search.txt, probes/*.txt) into blocks; payloads are read by byte count. */
export function readTranscript(file: string): Block[] {
  const d = readFileSync(file);
  const out: Block[] = [];
  let p = 0;
  const line = (): string => {
    const e = d.indexOf(0x0a, p);
    if (e < 0) throw new Error(`${file}: unterminated framing line at ${p}`);
    const s = d.subarray(p, e).toString('utf8');
    p = e + 1;
    return s;
  };
  const expect = (s: string, prefix: string): string => {
    if (!s.startsWith(prefix)) throw new Error(`${file}: expected "${prefix}" at ${p}, got "${s}"`);
    return s.slice(prefix.length);
  };
  while (p < d.length) {
    const notes: string[] = [];
    let l = line();
    while (l.startsWith('=== NOTE: ')) {
      notes.push(l.slice(10));
      l = line();
    }
    const command = expect(l, '=== C: ');
    const n = Number(expect(line(), '=== S: '));
    const untagged = d.subarray(p, p + n);
    p += n;
    const tagged = expect(line(), '=== T: ');
    if (line() !== '') throw new Error(`${file}: missing blank line after ${command}`);
    out.push({ notes, command, untagged, tagged });
  }
  return out;
}

// ------------------------------------------------------------------ IMAP data

export type ImapValue =
  | { type: 'nil' }
  | { type: 'string'; bytes: Buffer }
  | { type: 'atom'; text: string }
  | { type: 'list'; items: ImapValue[] };

class ResponseReader {
  pos = 0;
  constructor(readonly data: Buffer) {}

  private fail(what: string): never {
    const near = this.data.subarray(Math.max(0, this.pos - 20), this.pos + 20).toString('latin1');
    throw new Error(`IMAP response: ${what} at ${this.pos} near ${JSON.stringify(near)}`);
  }

  peek(): number {
    return this.data[this.pos] ?? -1;
  }

  expect(text: string): void {
    if (this.data.toString('latin1', this.pos, this.pos + text.length) !== text) this.fail(`expected ${JSON.stringify(text)}`);
    this.pos += text.length;
  }

  value(): ImapValue {
    const c = this.peek();
    if (c === 0x28) return this.list();
    if (c === 0x22) return this.quoted();
    if (c === 0x7b || (c === 0x7e && this.data[this.pos + 1] === 0x7b)) return this.literal();
    const atom = this.atom();
    return atom.toUpperCase() === 'NIL' ? { type: 'nil' } : { type: 'atom', text: atom };
  }

  list(): ImapValue {
    this.expect('(');
    const items: ImapValue[] = [];
    while (this.peek() !== 0x29) {
      if (this.peek() < 0) this.fail('unterminated list');
      if (items.length > 0 && this.peek() === 0x20) this.pos++;
      items.push(this.value());
    }
    this.pos++;
    return { type: 'list', items };
  }

  quoted(): ImapValue {
    this.pos++;
    const out: number[] = [];
    for (;;) {
      const c = this.peek();
      if (c < 0 || c === 0x0d || c === 0x0a) this.fail('unterminated quoted string');
      this.pos++;
      if (c === 0x22) return { type: 'string', bytes: Buffer.from(out) };
      if (c === 0x5c) out.push(this.data[this.pos++] as number);
      else out.push(c);
    }
  }

  literal(): ImapValue {
    if (this.peek() === 0x7e) this.pos++;
    const close = this.data.indexOf('}\r\n', this.pos);
    if (close < 0) this.fail('bad literal');
    const n = Number(this.data.toString('latin1', this.pos + 1, close));
    if (!Number.isInteger(n)) this.fail('bad literal length');
    this.pos = close + 3;
    const bytes = this.data.subarray(this.pos, this.pos + n);
    if (bytes.length !== n) this.fail('literal runs past the end');
    this.pos += n;
    return { type: 'string', bytes: Buffer.from(bytes) };
  }

  /** an atom; "[...]" (which may hold spaces and lists) and "<...>" are part of it, as in BODY[HEADER.FIELDS (A B)]<0> */
  atom(): string {
    const start = this.pos;
    for (;;) {
      const c = this.peek();
      if (c === 0x5b) {
        const close = this.data.indexOf(']', this.pos);
        if (close < 0) this.fail('unterminated [');
        this.pos = close + 1;
        continue;
      }
      if (c < 0 || c === 0x20 || c === 0x28 || c === 0x29 || c === 0x0d || c === 0x0a || c === 0x22) break;
      this.pos++;
    }
    if (this.pos === start) this.fail('expected a value');
    return this.data.toString('latin1', start, this.pos);
  }
}

export interface FetchResponse {
  seq: number;
  /** item name (as sent) to value; names are unique within one response */
  items: Map<string, ImapValue>;
}

/** Parses the untagged "* n FETCH (...)" responses of one command's answer. */
export function parseFetchResponses(untagged: Buffer): FetchResponse[] {
  const r = new ResponseReader(untagged);
  const out: FetchResponse[] = [];
  while (r.pos < untagged.length) {
    r.expect('* ');
    const seq = Number(r.atom());
    r.expect(' FETCH ');
    const list = r.list();
    r.expect('\r\n');
    if (list.type !== 'list' || list.items.length % 2 !== 0) throw new Error('FETCH: odd item list');
    const items = new Map<string, ImapValue>();
    for (let i = 0; i < list.items.length; i += 2) {
      const name = list.items[i] as ImapValue;
      if (name.type !== 'atom') throw new Error('FETCH: item name is not an atom');
      if (items.has(name.text)) throw new Error(`FETCH: ${name.text} twice`);
      items.set(name.text, list.items[i + 1] as ImapValue);
    }
    out.push({ seq, items });
  }
  return out;
}

/** Parses one parenthesised IMAP value (ENVELOPE, BODYSTRUCTURE, ...). */
export function parseImapValue(data: Buffer): ImapValue {
  const r = new ResponseReader(data);
  const v = r.value();
  if (r.pos !== data.length) throw new Error(`trailing data after value at ${r.pos}`);
  return v;
}

/** Where two values differ ("" when they are equal): strings by octets, atoms exactly, lists item by item. */
export function diffValues(a: ImapValue, b: ImapValue, where = ''): string {
  if (a.type !== b.type) return `${where}: ${show(a)} != ${show(b)}`;
  if (a.type === 'string' && b.type === 'string') return a.bytes.equals(b.bytes) ? '' : `${where}: ${show(a)} != ${show(b)}`;
  if (a.type === 'atom' && b.type === 'atom') return a.text === b.text ? '' : `${where}: ${a.text} != ${b.text}`;
  if (a.type === 'list' && b.type === 'list') {
    if (a.items.length !== b.items.length) return `${where}: list of ${a.items.length} != list of ${b.items.length}: ${show(a)} != ${show(b)}`;
    for (let i = 0; i < a.items.length; i++) {
      const d = diffValues(a.items[i] as ImapValue, b.items[i] as ImapValue, `${where}[${i}]`);
      if (d) return d;
    }
  }
  return '';
}

export function show(v: ImapValue): string {
  switch (v.type) {
    case 'nil':
      return 'NIL';
    case 'atom':
      return v.text;
    case 'string': {
      const s = v.bytes.toString('utf8');
      return JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…(${v.bytes.length} octets)` : s);
    }
    case 'list':
      return `(${v.items.map(show).join(' ')})`;
  }
}
