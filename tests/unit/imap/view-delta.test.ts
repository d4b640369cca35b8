import { describe, expect, it } from 'vitest';
import { FromNotifications } from '../../../src/imap/view-delta.js';
import type { MailboxChange } from '../../../src/mail/index.js';

const box = 7;

describe('FromNotifications: change notifications folded into one view delta', () => {
  it('folds changes that continue the MODSEQ: the latest flags win, expunged messages drop out of the changed ones', () => {
    const f = new FromNotifications(10, 4, ['$Work']);
    expect(f.add({ type: 'flags', mailboxId: box, uids: [2, 3], modseq: 11, flags: [['\\Seen'], ['$Work']] })).toBe(true);
    expect(f.add({ type: 'exists', mailboxId: box, uid: 6, modseq: 12, uids: [5, 6], flags: [[], ['\\Seen']] })).toBe(true);
    expect(f.add({ type: 'flags', mailboxId: box, uids: [2, 5], modseq: 13, flags: [['\\Flagged', '\\Seen'], ['\\Deleted']] })).toBe(true);
    expect(f.add({ type: 'expunge', mailboxId: box, uids: [3, 5], modseq: 14 })).toBe(true);
    expect(f.delta()).toEqual({
      highestModseq: 14,
      keywords: null,
      changed: [
        { uid: 2, flags: ['\\Flagged', '\\Seen'], modseq: 13 },
        { uid: 6, flags: ['\\Seen'], modseq: 12 },
      ],
      expunged: [3, 5],
    });
  });

  it('skips what the view already has and refuses a hole in the MODSEQs (a notification lost or still on its way)', () => {
    const f = new FromNotifications(10, 4, []);
    expect(f.add({ type: 'expunge', mailboxId: box, uids: [1], modseq: 9 })).toBe(true);
    expect(f.delta().highestModseq).toBe(10);
    expect(f.add({ type: 'expunge', mailboxId: box, uids: [1], modseq: 12 })).toBe(false);
  });

  it("takes a session's own change and its notification once, and refuses two different changes at one MODSEQ", () => {
    const f = new FromNotifications(10, 4, []);
    const expunge: MailboxChange = { type: 'expunge', mailboxId: box, uids: [2], modseq: 11 };
    expect(f.add(expunge)).toBe(true);
    expect(f.add(expunge)).toBe(true);
    expect(f.delta()).toMatchObject({ highestModseq: 11, expunged: [2] });
    expect(f.add({ type: 'exists', mailboxId: box, uid: 5, modseq: 11, uids: [5], flags: [[]] })).toBe(false);
  });

  it('refuses a change that does not say enough: no flags (an older publisher, a large STORE), a new keyword, UIDs that do not ascend', () => {
    expect(new FromNotifications(10, 4, []).add({ type: 'exists', mailboxId: box, uid: 5, modseq: 11 })).toBe(false);
    expect(new FromNotifications(10, 4, []).add({ type: 'flags', mailboxId: box, uids: [1], modseq: 11 })).toBe(false);
    expect(new FromNotifications(10, 4, ['$Work']).add({ type: 'flags', mailboxId: box, uids: [1], modseq: 11, flags: [['$Private']] })).toBe(false);
    // RFC 9051 §2.3.1.1: a new UID is above every UID the view has
    expect(new FromNotifications(10, 4, []).add({ type: 'exists', mailboxId: box, uid: 4, modseq: 11, uids: [4], flags: [[]] })).toBe(false);
    expect(new FromNotifications(10, 4, []).add({ type: 'renamed', mailboxId: box, name: 'Khác' })).toBe(false);
  });
});
