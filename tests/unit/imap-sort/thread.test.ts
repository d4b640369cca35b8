import { describe, expect, it } from 'vitest';
import type { SortRow } from '../../../src/mail/sort.js';
import { threadByOrderedSubject, threadByReferences } from '../../../src/mail/thread.js';
import { threadResponse } from '../../../src/imap/protocol/thread-response.js';

const HOUR = 3_600_000;
function row(uid: number, subject: string, id: string | null, refs: string[] = [], hour = uid, reply = /^(re|fwd?):/i.test(subject)): SortRow {
  const base = subject.replace(/^(re|fwd?):\s*/i, '');
  return {
    uid, internalDate: hour * HOUR, size: 100, baseSubject: base, reply, fromKey: '', toKey: '', ccKey: '',
    displayFrom: '', displayTo: '', sentAt: hour * HOUR, messageId: id, refs,
  };
}
const wire = (rows: SortRow[]) => threadResponse(threadByReferences(rows), (u) => u).toString().trim();

describe('THREAD=REFERENCES (RFC 5256 §3)', () => {
  it('a reply that arrives before its parent still hangs under it', () => {
    expect(wire([row(1, 'Re: Họp giao ban', '<b@x>', ['<a@x>'], 2), row(2, 'Họp giao ban', '<a@x>', [], 1)])).toBe('* THREAD (2 1)');
  });

  it('a missing parent becomes a dummy holding its replies as siblings', () => {
    expect(wire([row(1, 'Re: Kế hoạch', '<b@x>', ['<a@x>']), row(2, 'Re: Kế hoạch', '<c@x>', ['<a@x>'])])).toBe('* THREAD ((1)(2))');
  });

  it('a self-reference, a message without Message-ID and an empty subject stand alone', () => {
    expect(wire([row(1, 'Một', '<a@x>', ['<a@x>']), row(2, '', null), row(3, 'Hai', null)])).toBe('* THREAD (1)(2)(3)');
  });

  it('References wins over a guess: the chain a ← b ← c', () => {
    expect(wire([row(1, 'A', '<a@x>'), row(2, 'Re: A', '<b@x>', ['<a@x>']), row(3, 'Re: A', '<c@x>', ['<a@x>', '<b@x>'])])).toBe('* THREAD (1 2 3)');
  });

  it('a reply without references joins the thread of its subject (step 5)', () => {
    expect(wire([row(1, 'Báo cáo', '<a@x>'), row(2, 'Re: Báo cáo', '<b@x>')])).toBe('* THREAD (1 2)');
  });

  it('no messages: just "* THREAD"', () => {
    expect(wire([])).toBe('* THREAD');
  });
});

describe('THREAD=ORDEREDSUBJECT (RFC 5256 §3)', () => {
  it('groups by base subject, the earliest first, threads by their first date', () => {
    const rows = [row(1, 'B', '<1@x>', [], 5), row(2, 'A', '<2@x>', [], 1), row(3, 'Re: B', '<3@x>', [], 2), row(4, 'Re: A', '<4@x>', [], 9)];
    expect(threadResponse(threadByOrderedSubject(rows), (u) => u).toString().trim()).toBe('* THREAD (2 4)(3 1)');
  });
});
