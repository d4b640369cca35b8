import { describe, expect, it } from 'vitest';
import { ResponseBatch, type ResponseSink } from '../../../src/imap/response-batch.js';

/** a sink that keeps every write and counts the drains */
function recordingSink(): ResponseSink & { writes: Buffer[]; drains: number } {
  const sink = {
    writes: [] as Buffer[],
    drains: 0,
    send: (bytes: Buffer) => void sink.writes.push(bytes),
    drain: async () => void sink.drains++,
  };
  return sink;
}

describe('ResponseBatch: untagged responses gathered into writes of ~64 KB', () => {
  it('writes once 64 KB are gathered, and the rest on flush, bytes in order', async () => {
    const sink = recordingSink();
    const batch = new ResponseBatch(sink);
    const responses = Array.from({ length: 600 }, (_, i) => Buffer.from(`* ${i + 1} FETCH (UID ${i + 1} FLAGS (\\Seen) ${'x'.repeat(100)})\r\n`));
    for (const r of responses) await batch.add(r);
    expect(sink.writes).toHaveLength(1);
    expect(sink.writes[0]!.length).toBeGreaterThanOrEqual(64 * 1024);
    await batch.flush();
    expect(sink.writes).toHaveLength(2);
    expect(sink.drains).toBe(2);
    expect(Buffer.concat(sink.writes).equals(Buffer.concat(responses))).toBe(true);
  });

  it('sends one large response as it is, and nothing for an empty flush', async () => {
    const sink = recordingSink();
    const batch = new ResponseBatch(sink);
    await batch.flush();
    expect(sink.writes).toHaveLength(0);
    const body = Buffer.alloc(200 * 1024, 0x61);
    await batch.add(body);
    expect(sink.writes).toEqual([body]);
    expect(sink.writes[0]).toBe(body);
  });
});
