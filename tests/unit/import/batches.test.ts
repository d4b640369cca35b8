import { describe, expect, it } from 'vitest';
import { batchesOf } from '../../../src/import/imap-import.js';

const MiB = 1024 * 1024;

describe('batches of an import', () => {
  it.each([
    ['nothing', [], []],
    ['small messages, 50 to a batch', Array.from({ length: 120 }, (_, i) => [i + 1, 4096]), [50, 50, 20]],
    ['a run of large messages up to 32 MiB a batch', Array.from({ length: 10 }, (_, i) => [i + 1, 10 * MiB]), [3, 3, 3, 1]],
    ['a message larger than a batch goes alone', [[1, 1000], [2, 40 * MiB], [3, 1000]], [1, 1, 1]],
  ] as const)('%s', (_what, messages, sizes) => {
    const batches = batchesOf(messages.map(([uid, size]) => ({ uid, size })));
    expect(batches.map((b) => b.length)).toEqual(sizes);
    // every UID once, in order
    expect(batches.flat()).toEqual(messages.map(([uid]) => uid));
  });
});
