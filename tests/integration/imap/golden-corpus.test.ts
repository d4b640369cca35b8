/**
 * Replays the Dovecot golden corpus (../shared/imap-golden) against hopthu: the 59 messages
 * are APPENDed in manifest order with their internal dates and flags, then every FETCH
 * command of fetch/NNN.txt and every SEARCH / SORT / THREAD of search.txt is sent over a
 * byte-exact socket and the answers are compared by meaning, with the README's allowed
 * differences (INTERNALDATE instant, item order, FLAGS order, quoted versus literal,
 * tagged text).
 *
 * Known divergences are listed below with Dovecot's and our answer; they are not asserted,
 * but every other block must match, and the number of matching blocks may not fall.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import {
  diffValues,
  goldenCorpusDir,
  parseFetchResponses,
  readManifest,
  readTranscript,
  show,
  type Block,
  type FetchResponse,
  type ImapValue,
} from '../../support/golden.js';
import { goldenCommandParts, ImapWire, type WireAnswer } from '../../support/imap-wire.js';
import type { RunningServer } from '../../../src/cli/server.js';

const USER = 'golden@yenbai.gov.vn';
const PASS = 'golden-pass-2026';

/**
 * FETCH blocks (tags) that differ from Dovecot today. Each is reported, not asserted:
 * - BINARY.SIZE of a base64 leaf (F010.16, F011.16, F019.16) or of a multipart
 *   (F012.20, F015.16, F049.16): hopthu answers the length of its BINARY answer for the
 *   same section (which equals Dovecot's BINARY literal length, e.g. 010 part 2: 2569);
 *   Dovecot answers a smaller figure (2009). README: "Dovecot behaviour, not a requirement"
 *   for the multipart case.
 * - F056.10, F056.11 (BINARY of an x-uuencode part): both answer NO [UNKNOWN-CTE], but
 *   Dovecot first sends `* 56 FETCH (UID 56)`; hopthu sends no untagged FETCH.
 */
const KNOWN_FETCH_DIVERGENCES = new Set<string>(['F010.16', 'F011.16', 'F012.20', 'F015.16', 'F019.16', 'F049.16', 'F056.10', 'F056.11']);
/** FETCH blocks compared and matching when this list was made; a lower count is a regression. */
const MIN_FETCH_MATCHING = 795;

/**
 * SEARCH blocks (tags) where hopthu finds messages Dovecot does not, for reasons other than
 * diacritic folding (reported, not asserted):
 * - S014: 059's Subject glues two encoded-words (`?==?`); hopthu decodes them, Dovecot not.
 * - S017, S018, S035: 057's raw 8-bit windows-1258 header; hopthu decodes unlabelled
 *   non-UTF-8 header octets as windows-1258 (src/mail/mime/charset.ts), Dovecot never matches.
 *   (S017 also finds 056 "Bang luong" by folding.)
 * - S036: 059's To is an encoded-word with an RFC 2231 language (`=?UTF-8*vi?Q?…?=`);
 *   hopthu decodes it, Dovecot not.
 */
const KNOWN_SEARCH_DIVERGENCES = new Set<string>(['S014', 'S017', 'S018', 'S035', 'S036']);
const MIN_SEARCH_MATCHING = 109;

/**
 * hopthu's documented extension: diacritic-insensitive (Vietnamese-folded) text search.
 * For these commands we return MORE than Dovecot (never less): exactly Dovecot's set plus
 * the listed messages, each found because the query matches once diacritics are folded.
 */
const DIACRITIC_EXTENSION: Record<string, { extra: number[]; why: string }> = {
  S002: { extra: [42, 45, 51], why: '042/045 have ASCII "hop"; 051 "Tổng hợp" folds to "tong hop"' },
  S003: { extra: [42, 45, 51], why: 'as S002 (upper-case query)' },
  S006: { extra: [3, 19, 31, 49, 51, 55, 59], why: '"họp" / "hợp" fold to "hop"' },
  S007: { extra: [4, 8, 10, 13, 51, 54], why: 'a folded word contains "ho": thống→thong, hội→hoi, hợp→hop, hỗ→ho' },
  S008: { extra: [42, 45, 51], why: 'as S002 (NFD query)' },
  S009: { extra: [5, 7, 32, 33, 34, 35, 36, 37, 38], why: '"kế hoạch" folds to "ke hoach"' },
  S010: {
    extra: [5],
    why: '005\'s windows-1258 Subject decodes to "…phê duyệt kế hoạch chuyển đổi số năm 2024"; compared folded it contains the query (Dovecot misses it)',
  },
  S023: { extra: [42, 45, 51], why: 'as S002 (8-bit query without CHARSET, taken as UTF-8)' },
  S026: { extra: [28, 29], why: '028 `"nguyen van an"@…` and 029 `(Nguyen Van An)` are the name without diacritics' },
  S027: { extra: [28, 29], why: 'as S026 (lower-case query)' },
  S028: { extra: [3, 8, 10, 13, 14, 30, 32, 35, 37, 54, 55, 58], why: '"Nguyễn" folds to "nguyen"' },
  S031: { extra: [4, 18, 27, 36, 46, 50], why: '"Đặng" folds to "dang" (Đ → d)' },
  S052: { extra: [42, 45, 51], why: 'as S002, through HEADER Subject' },
  S113: { extra: [6, 43], why: '"Báo cáo" folds to "bao cao"' },
};

/**
 * Dovecot bug (README "CHARSET"): with CHARSET WINDOWS-1258 it drops the last character of
 * the search string. hopthu must instead answer exactly as for the same text in UTF-8.
 */
const CHARSET_1258_BUG: Record<string, string> = { S019: 'họp', S020: 'học', S021: 'họpx' };

/** ESEARCH (RETURN) forms of SEARCH are only probed for the report. */
const isUnannounced = (command: string): boolean => / RETURN \(/.test(command);
/** SORT / UID SORT / THREAD / UID THREAD (S119–S145): compared by their own test below. */
const isSortOrThread = (command: string): boolean => /^S\d+ (UID )?(SORT|THREAD) /.test(command);

/**
 * SORT and THREAD blocks, compared in order (the server runs with
 * imap.sortCollation = unicode-casemap, Dovecot's i;unicode-casemap; the default Vietnamese
 * collation is checked in sort.test.ts). Differences allowed:
 * - S142 THREAD REFS is Dovecot's own algorithm; hopthu does not announce it and answers BAD.
 * - where the search part finds more by diacritic folding, the extra messages are listed here;
 *   without them our answer must be Dovecot's.
 */
const SORT_UNSUPPORTED = new Set<string>(['S142']);
const SORT_FOLDING_EXTRAS: Record<string, { extra: number[]; why: string }> = {
  S135: { extra: [42, 45, 51], why: 'as S006: 042/045 have ASCII "hop", 051 "Tổng hợp"; placed by date among Dovecot\'s' },
  S145: { extra: [5, 23], why: 'as S009/S010: 005\'s windows-1258 "kế hoạch", 023\'s ASCII "ke hoach"; each a thread of its own' },
};

let env: TestEnv;
let server: RunningServer;
let wire: ImapWire;
let capabilities: string[] = [];
const dir = goldenCorpusDir();

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({ 'imap.sortCollation': 'unicode-casemap' }, ['imap']);
  const db = server.runtime.db;
  await addTestDomain(db, 'yenbai.gov.vn');
  await addTestAccount(db, server.runtime.config, USER, { password: PASS });

  const loader = await ImapWire.connect(server.ports.imap!);
  await loader.response();
  expect((await loader.command('l', `LOGIN ${USER} ${PASS}`)).tagged).toMatch(/^l OK/);
  expect((await loader.command('c', 'CREATE golden')).tagged).toMatch(/^c OK/);
  for (const m of readManifest(dir)) {
    const bytes = readFileSync(path.join(dir, m.file));
    const a = await loader.command(`a${m.seq}`, [`APPEND golden (${m.flags.join(' ')}) "${m.internaldate}" `, bytes]);
    expect(a.tagged, m.file).toMatch(new RegExp(`^a${m.seq} OK \\[APPENDUID \\d+ ${m.uid}\\]`));
  }
  // one SELECT clears \Recent, as the corpus was captured with RECENT 0
  expect((await loader.command('s', 'SELECT golden')).tagged).toMatch(/^s OK/);
  await loader.command('o', 'LOGOUT');
  loader.close();

  wire = await ImapWire.connect(server.ports.imap!);
  await wire.response();
  expect((await wire.command('l', `LOGIN ${USER} ${PASS}`)).tagged).toMatch(/^l OK/);
  capabilities = /^\* CAPABILITY (.*)$/m.exec((await wire.command('c', 'CAPABILITY')).untagged.toString('latin1'))?.[1]?.trim().split(' ') ?? [];
  const ex = await wire.command('e', 'EXAMINE golden');
  expect(ex.tagged).toMatch(/^e OK \[READ-ONLY\]/);
  expect(ex.untagged.toString('latin1')).toContain('* 59 EXISTS\r\n');
});

afterAll(async () => {
  wire?.close();
  await env?.stop();
});

// ------------------------------------------------------------------ comparison

/** "OK", "NO [UNKNOWN-CTE]", "BAD": the status and response code of a tagged line. */
function statusOf(tagged: string): string {
  const m = /^\S+ (OK|NO|BAD)(?: \[([^\] ]+))?/.exec(tagged);
  return m ? (m[2] ? `${m[1]} [${m[2].toUpperCase()}]` : (m[1] as string)) : `?${tagged}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** The instant of an IMAP date-time ("04-Mar-2024 01:15:02 +0000", day may be space-padded). */
function instant(v: ImapValue): number {
  if (v.type !== 'string') return NaN;
  const m = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/.exec(v.bytes.toString('latin1'));
  if (!m) return NaN;
  const month = MONTHS.indexOf((m[2] as string).slice(0, 1).toUpperCase() + (m[2] as string).slice(1).toLowerCase());
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  const offset = (Number(m[8]) * 60 + Number(m[9])) * (m[7] === '-' ? -1 : 1);
  return utc - offset * 60_000;
}

function flagSet(v: ImapValue): string {
  if (v.type !== 'list') return show(v);
  return v.items
    .map((i) => (i.type === 'atom' ? i.text : show(i)))
    .sort()
    .join(' ');
}

/** Differences between Dovecot's FETCH answer and ours, after the allowed normalisations. */
function compareFetch(gold: Block, ours: WireAnswer): string[] {
  const out: string[] = [];
  if (statusOf(gold.tagged) !== statusOf(ours.tagged)) out.push(`tagged: ${statusOf(ours.tagged)} (ours, "${ours.tagged}") != ${statusOf(gold.tagged)}`);
  let g: FetchResponse[];
  let o: FetchResponse[];
  try {
    g = parseFetchResponses(gold.untagged);
  } catch (err) {
    return [...out, `golden unparseable: ${(err as Error).message}`];
  }
  try {
    o = parseFetchResponses(ours.untagged);
  } catch (err) {
    return [...out, `ours unparseable: ${(err as Error).message}: ${JSON.stringify(ours.untagged.subarray(0, 300).toString('utf8'))}`];
  }
  if (g.length !== o.length) return [...out, `${o.length} FETCH responses (ours) != ${g.length}`];
  for (let i = 0; i < g.length; i++) {
    const gr = g[i] as FetchResponse;
    const or = o[i] as FetchResponse;
    if (gr.seq !== or.seq) out.push(`response ${i}: seq ${or.seq} != ${gr.seq}`);
    const mine = new Map([...or.items].map(([k, v]) => [k.toUpperCase(), v]));
    for (const [name, gv] of gr.items) {
      const key = name.toUpperCase();
      const ov = mine.get(key);
      mine.delete(key);
      if (!ov) {
        out.push(`${name}: missing (ours has ${[...or.items.keys()].join(' ')})`);
        continue;
      }
      if (key === 'INTERNALDATE') {
        if (instant(gv) !== instant(ov)) out.push(`INTERNALDATE: ${show(ov)} != ${show(gv)}`);
      } else if (key === 'FLAGS') {
        if (flagSet(gv) !== flagSet(ov)) out.push(`FLAGS: ${show(ov)} != ${show(gv)}`);
      } else {
        const d = diffValues(ov, gv, name);
        if (d) out.push(d);
      }
    }
    for (const name of mine.keys()) out.push(`${name}: extra item in ours`);
  }
  return out;
}

function searchSet(untagged: Buffer): number[] | undefined {
  let found: number[] | undefined;
  for (const line of untagged.toString('latin1').split('\r\n')) {
    const m = /^\* SEARCH((?: \d+)*)\s*$/i.exec(line);
    if (m) found = [...(found ?? []), ...(m[1] as string).trim().split(' ').filter(Boolean).map(Number)];
  }
  return found?.sort((a, b) => a - b);
}

/** the numbers of "* SORT" responses, in order */
function sortList(untagged: Buffer): number[] | undefined {
  let found: number[] | undefined;
  for (const line of untagged.toString('latin1').split('\r\n')) {
    const m = /^\* SORT((?: \d+)*)\s*$/i.exec(line);
    if (m) found = [...(found ?? []), ...(m[1] as string).trim().split(' ').filter(Boolean).map(Number)];
  }
  return found;
}

/** what follows "* THREAD" */
function threadText(untagged: Buffer): string | undefined {
  const line = untagged
    .toString('latin1')
    .split('\r\n')
    .find((l) => /^\* THREAD\b/i.test(l));
  return line?.replace(/^\* THREAD ?/i, '');
}

interface Outcome {
  command: string;
  ok: boolean;
  differences: string[];
}

const report: { fetch: Outcome[]; search: Outcome[]; skipped: string[]; extensions: Outcome[]; probed: Outcome[] } = {
  fetch: [],
  search: [],
  skipped: [],
  extensions: [],
  probed: [],
};

/** An ESEARCH answer as "KEY value" items (sets expanded), without the TAG correlator. */
function esearchItems(untagged: Buffer): string | undefined {
  const line = untagged
    .toString('latin1')
    .split('\r\n')
    .find((l) => /^\* ESEARCH\b/i.test(l));
  if (line === undefined) return undefined;
  const tokens = line.replace(/^\* ESEARCH\s*(\(TAG "[^"]*"\)\s*)?/i, '').split(/\s+/).filter(Boolean);
  const expand = (set: string): string =>
    set
      .split(',')
      .flatMap((r) => {
        const [a, b] = r.split(':').map(Number) as [number, number | undefined];
        return b === undefined ? [a] : Array.from({ length: Math.abs(b - a) + 1 }, (_, i) => Math.min(a, b) + i);
      })
      .join(' ');
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const key = (tokens[i] as string).toUpperCase();
    if (key === 'UID') out.push('UID');
    else out.push(`${key} ${key === 'ALL' ? expand(tokens[++i] ?? '') : tokens[++i]}`);
  }
  return out.sort().join(', ');
}

afterAll(() => {
  if (process.env.HOPTHU_GOLDEN_REPORT) writeFileSync(process.env.HOPTHU_GOLDEN_REPORT, JSON.stringify(report, null, 2));
});

// ------------------------------------------------------------------ tests

describe('IMAP golden corpus (Dovecot 2.3.19) replayed against hopthu', () => {
  it('FETCH: every command of fetch/NNN.txt matches by meaning, apart from the known divergences', async () => {
    const files = readdirSync(path.join(dir, 'fetch'))
      .filter((f) => f.endsWith('.txt'))
      .sort();
    expect(files).toHaveLength(59);
    for (const file of files) {
      // one file's commands are pipelined (none has a literal): a round trip per command
      // would cost ~40 ms each while the server's responses wait on delayed ACKs
      const blocks = readTranscript(path.join(dir, 'fetch', file));
      for (const block of blocks) {
        const [tag, ...rest] = block.command.split(' ');
        const parts = goldenCommandParts(rest.join(' '));
        expect(parts.every((p) => typeof p === 'string')).toBe(true);
        wire.send(tag as string, parts.join(''));
      }
      for (const block of blocks) {
        const ours = await wire.answer(block.command.split(' ')[0] as string);
        const differences = compareFetch(block, ours);
        report.fetch.push({ command: block.command, ok: differences.length === 0, differences });
      }
    }
    const failing = report.fetch.filter((o) => !o.ok);
    const unexpected = failing.filter((o) => !KNOWN_FETCH_DIVERGENCES.has(o.command.split(' ')[0] as string));
    // where our BINARY.SIZE differs from Dovecot's, it must equal the length of the BINARY
    // answer for the same section (Dovecot's, which ours matches)
    for (const o of failing) {
      const m = /^BINARY\.SIZE\[([\d.]+)\]: (\d+) != \d+$/.exec(o.differences[0] ?? '');
      if (!m) continue;
      const file = `${o.command.slice(1, 4)}.txt`;
      const binary = readTranscript(path.join(dir, 'fetch', file))
        .flatMap((b) => (b.tagged.includes(' OK ') ? parseFetchResponses(b.untagged) : []))
        .map((r) => r.items.get(`BINARY[${m[1]}]`))
        .find((v) => v !== undefined);
      expect(binary?.type === 'string' ? binary.bytes.length : undefined, o.command).toBe(Number(m[2]));
    }
    expect(report.fetch.length).toBe(803);
    expect(unexpected.map((o) => `${o.command}\n  ${o.differences.join('\n  ')}`)).toEqual([]);
    expect(report.fetch.length - failing.length).toBeGreaterThanOrEqual(MIN_FETCH_MATCHING);
  }, 120_000);

  it('SEARCH / UID SEARCH of search.txt: same result sets (more only where diacritic folding explains it)', async () => {
    for (const block of readTranscript(path.join(dir, 'search.txt'))) {
      const [tag, ...rest] = block.command.split(' ');
      if (tag === 'S000') continue; // EXAMINE, done in beforeAll
      if (isSortOrThread(block.command)) continue;
      if (isUnannounced(block.command)) {
        report.skipped.push(block.command);
        // ESEARCH is being announced while this is written: its forms are compared for the
        // report only, never asserted
        if (/ RETURN \(/.test(block.command) && /^S\d+ (UID )?SEARCH /.test(block.command) && capabilities.includes('ESEARCH')) {
          const ours = await wire.command(tag as string, goldenCommandParts(rest.join(' ')));
          const g = esearchItems(block.untagged);
          const o = esearchItems(ours.untagged);
          const differences = [
            ...(statusOf(block.tagged) !== statusOf(ours.tagged) ? [`tagged: ${statusOf(ours.tagged)} != ${statusOf(block.tagged)}`] : []),
            ...(g !== o ? [`ESEARCH ${o ?? '(none)'} (ours) != ${g ?? '(none)'}`] : []),
          ];
          report.probed.push({ command: block.command, ok: differences.length === 0, differences });
        }
        continue;
      }
      const ours = await wire.command(tag as string, goldenCommandParts(rest.join(' ')));
      const differences: string[] = [];
      if (statusOf(block.tagged) !== statusOf(ours.tagged)) differences.push(`tagged: ${statusOf(ours.tagged)} ("${ours.tagged}") != ${statusOf(block.tagged)}`);
      const g = searchSet(block.untagged);
      const o = searchSet(ours.untagged);
      const gs = g?.join(' ');
      const os = o?.join(' ');
      let extension = '';
      const bug = CHARSET_1258_BUG[tag as string];
      const ext = DIACRITIC_EXTENSION[tag as string];
      if (bug !== undefined) {
        const utf8 = await wire.command(`${tag}u`, ['SEARCH CHARSET UTF-8 SUBJECT ', Buffer.from(bug, 'utf8')]);
        const us = searchSet(utf8.untagged)?.join(' ');
        if (os !== us) differences.push(`SEARCH ${os ?? '(none)'} (ours) != ${us ?? '(none)'} (ours for the same text in UTF-8)`);
        else extension = `Dovecot bug (drops the last character): ours ${os} = ours for UTF-8 "${bug}"; Dovecot ${gs}`;
      } else if (ext) {
        const want = [...new Set([...(g ?? []), ...ext.extra])].sort((a, b) => a - b).join(' ');
        if (os !== want) differences.push(`SEARCH ${os ?? '(none)'} (ours) != ${want} (Dovecot ${gs} + folding extras ${ext.extra.join(' ')})`);
        else extension = `ours ${os} ⊇ Dovecot ${gs}: ${ext.why}`;
      } else if (gs !== os) {
        const superset = g !== undefined && o !== undefined && g.every((n) => o.includes(n));
        differences.push(`SEARCH ${os ?? '(none)'} (ours) != ${gs ?? '(none)'}${superset ? ' [ours is a superset]' : ''}`);
      }
      const outcome = { command: block.command, ok: differences.length === 0, differences };
      report.search.push(outcome);
      if (extension) report.extensions.push({ ...outcome, differences: [extension] });
    }
    const failing = report.search.filter((o) => !o.ok);
    const unexpected = failing.filter((o) => !KNOWN_SEARCH_DIVERGENCES.has(o.command.split(' ')[0] as string));
    expect(unexpected.map((o) => `${o.command}\n  ${o.differences.join('\n  ')}`)).toEqual([]);
    expect(report.search.length - failing.length).toBeGreaterThanOrEqual(MIN_SEARCH_MATCHING);
  }, 60_000);
  it('SORT / ESORT / THREAD of search.txt (S119–S145): the same order and threads as Dovecot', async () => {
    const outcomes: Outcome[] = [];
    for (const block of readTranscript(path.join(dir, 'search.txt'))) {
      if (!isSortOrThread(block.command)) continue;
      const [tag, ...rest] = block.command.split(' ');
      const ours = await wire.command(tag as string, goldenCommandParts(rest.join(' ')));
      const differences: string[] = [];
      if (SORT_UNSUPPORTED.has(tag as string)) {
        expect(statusOf(ours.tagged), block.command).toBe('BAD');
        report.skipped.push(block.command);
        continue;
      }
      if (statusOf(block.tagged) !== statusOf(ours.tagged)) differences.push(`tagged: ${statusOf(ours.tagged)} ("${ours.tagged}") != ${statusOf(block.tagged)}`);
      const extra = SORT_FOLDING_EXTRAS[tag as string]?.extra ?? [];
      if (/ RETURN \(/.test(block.command)) {
        const g = esearchItems(block.untagged);
        const o = esearchItems(ours.untagged);
        if (g !== o) differences.push(`ESEARCH ${o ?? '(none)'} (ours) != ${g ?? '(none)'}`);
      } else if (/^S\d+ (UID )?SORT /.test(block.command)) {
        const g = sortList(block.untagged)?.join(' ');
        const all = sortList(ours.untagged);
        const o = all?.filter((n) => !extra.includes(n)).join(' ');
        if (g !== o) differences.push(`SORT ${all?.join(' ') ?? '(none)'} (ours) != ${g ?? '(none)'}`);
        for (const n of extra) if (!all?.includes(n)) differences.push(`SORT: folding extra ${n} missing`);
      } else {
        const g = threadText(block.untagged);
        const all = threadText(ours.untagged);
        const o = all === undefined ? undefined : extra.reduce((t, n) => t.replace(`(${n})`, ''), all);
        if (g !== o) differences.push(`THREAD ${all ?? '(none)'} (ours) != ${g ?? '(none)'}`);
      }
      outcomes.push({ command: block.command, ok: differences.length === 0, differences });
    }
    report.search.push(...outcomes);
    expect(outcomes.length).toBe(26);
    expect(outcomes.filter((o) => !o.ok).map((o) => `${o.command}\n  ${o.differences.join('\n  ')}`)).toEqual([]);
  }, 60_000);
});
