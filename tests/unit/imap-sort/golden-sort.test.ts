/**
 * SORT and THREAD of the golden corpus computed without a server: each message is parsed,
 * its sort keys made (src/mail/sort-keys.ts) and ordered or threaded by the pure functions,
 * under RFC 5051 i;unicode-casemap (Dovecot's comparator). The answers must be Dovecot's
 * for every ALL-criteria command of search.txt (S119–S145). The integration test
 * (tests/integration/imap/golden-corpus.test.ts) checks the same over the wire.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../src/mail/mime/index.js';
import { sortKeysOf } from '../../../src/mail/sort-keys.js';
import { sortRows, type SortField, type SortRow } from '../../../src/mail/sort.js';
import { threadByOrderedSubject, threadByReferences } from '../../../src/mail/thread.js';
import { parseDateTime } from '../../../src/imap/protocol/datetime.js';
import { threadResponse } from '../../../src/imap/protocol/thread-response.js';
import { goldenCorpusDir, readManifest, readTranscript } from '../../support/golden.js';

const dir = goldenCorpusDir();
const rows: SortRow[] = readManifest(dir).map((m) => {
  const raw = readFileSync(path.join(dir, m.file));
  const parsed = parseMessage(raw);
  return { uid: m.uid, internalDate: parseDateTime(m.internaldate).date.getTime(), size: raw.length, ...sortKeysOf(parsed.search) };
});
const blocks = new Map(readTranscript(path.join(dir, 'search.txt')).map((b) => [b.command.split(' ')[0] as string, b]));
const answer = (tag: string): string => (blocks.get(tag)?.untagged.toString('latin1') ?? '').trim();

/** "(REVERSE DATE SUBJECT)" → criteria */
function criteriaOf(command: string): Array<{ field: SortField; reverse: boolean }> {
  const list = /SORT \(([^)]*)\)/.exec(command)?.[1] ?? '';
  const out: Array<{ field: SortField; reverse: boolean }> = [];
  let reverse = false;
  for (const w of list.split(' ')) {
    if (w === 'REVERSE') reverse = true;
    else {
      out.push({ field: w.toLowerCase() as SortField, reverse });
      reverse = false;
    }
  }
  return out;
}

describe('SORT over the golden corpus (i;unicode-casemap) gives Dovecot’s order', () => {
  const tags = ['S119', 'S120', 'S121', 'S122', 'S123', 'S124', 'S125', 'S126', 'S127', 'S128', 'S129', 'S130', 'S131', 'S132', 'S133', 'S134'];
  it.each(tags)('%s', (tag) => {
    const command = blocks.get(tag)?.command ?? '';
    const ours = sortRows(rows, criteriaOf(command), 'unicode-casemap').map((r) => r.uid);
    expect(`* SORT ${ours.join(' ')}`, command).toBe(answer(tag));
  });
});

describe('THREAD over the golden corpus gives Dovecot’s threads', () => {
  it('S140 THREAD REFERENCES UTF-8 ALL', () => {
    expect(threadResponse(threadByReferences(rows), (u) => u).toString().trim()).toBe(answer('S140'));
  });
  it('S141 THREAD ORDEREDSUBJECT UTF-8 ALL', () => {
    expect(threadResponse(threadByOrderedSubject(rows), (u) => u).toString().trim()).toBe(answer('S141'));
  });
});
