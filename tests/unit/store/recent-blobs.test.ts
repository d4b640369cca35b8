import { describe, expect, it } from 'vitest';
import { RecentBlobs } from '../../../src/store/recent-blobs.js';

const KB = 1024;
const blob = (n: number) => Buffer.alloc(256 * KB, n);

describe('RecentBlobs: what a blob store has just written or read', () => {
  it('forgets the blob used longest ago once past 8 MiB: a blob read again is kept', () => {
    const recent = new RecentBlobs();
    // 32 blobs of 256 KiB: exactly the 8 MiB it keeps
    for (let n = 0; n < 32; n++) recent.remember(`h${n}`, blob(n));
    expect(recent.get('h0')?.[0]).toBe(0);
    recent.remember('h32', blob(32));
    expect(recent.get('h0')?.[0]).toBe(0);
    expect(recent.get('h1')).toBeUndefined();
    expect(recent.get('h2')?.[0]).toBe(2);
    expect(recent.range('h32', 1, 3)?.length).toBe(2);
  });

  it('keeps as much as it is given (blobs.cacheMegabytes), and nothing with 0', () => {
    const recent = new RecentBlobs(1024 * KB);
    for (let n = 0; n < 5; n++) recent.remember(`h${n}`, blob(n));
    expect(recent.get('h0')).toBeUndefined();
    expect([1, 2, 3, 4].map((n) => recent.get(`h${n}`)?.[0])).toEqual([1, 2, 3, 4]);
    const none = new RecentBlobs(0);
    none.remember('h', blob(1));
    expect(none.get('h')).toBeUndefined();
  });

  it('forgets a deleted blob at once', () => {
    const recent = new RecentBlobs();
    recent.remember('gone', blob(1));
    recent.forget('gone');
    expect(recent.get('gone')).toBeUndefined();
  });
});
