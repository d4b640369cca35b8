import { describe, expect, it } from 'vitest';
import { MessageFactsCache, type MessageFacts } from '../../../src/imap/message-facts.js';

const facts = (envelopeBytes: number | null): MessageFacts => ({
  internalDate: new Date('2026-11-26T08:00:00Z'),
  size: 4096,
  blobHash: 'a'.repeat(64),
  imapEnvelope: envelopeBytes === null ? null : Buffer.alloc(envelopeBytes, 0x41),
});

describe('MessageFactsCache', () => {
  it('names a message by UIDVALIDITY and UID', () => {
    const cache = new MessageFactsCache(1 << 20);
    cache.set(1700000001, 5, facts(100));
    expect(cache.get(1700000001, 5)?.imapEnvelope?.length).toBe(100);
    expect(cache.get(1700000002, 5)).toBeUndefined();
    expect(cache.get(1700000001, 6)).toBeUndefined();
  });

  it('keeps within its budget, dropping the least recently used first', () => {
    // each entry: 320 bytes of overhead and 680 of ENVELOPE
    const cache = new MessageFactsCache(3000);
    cache.set(1, 1, facts(680));
    cache.set(1, 2, facts(680));
    cache.set(1, 3, facts(680));
    cache.get(1, 1);
    cache.set(1, 4, facts(680));
    expect(cache.size).toBe(3);
    expect(cache.get(1, 2)).toBeUndefined();
    expect([1, 3, 4].map((uid) => cache.get(1, uid) !== undefined)).toEqual([true, true, true]);
  });

  it('an entry with an ENVELOPE replaces one without, never the other way', () => {
    const cache = new MessageFactsCache(1 << 20);
    cache.set(1, 1, facts(null));
    cache.set(1, 1, facts(200));
    expect(cache.get(1, 1)?.imapEnvelope?.length).toBe(200);
    cache.set(1, 1, facts(null));
    expect(cache.get(1, 1)?.imapEnvelope?.length).toBe(200);
  });

  it('keeps nothing with a budget of 0 (imap.messageCacheMegabytes: 0)', () => {
    const cache = new MessageFactsCache(0);
    expect(cache.enabled).toBe(false);
    cache.set(1, 1, facts(10));
    expect(cache.get(1, 1)).toBeUndefined();
  });
});
