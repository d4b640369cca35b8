/** Small blobs just written or read stay in memory for their next readers (delivery parses each new message once; a second device fetches it). */
const RECENT_BLOB_MAX_BYTES = 256 * 1024;
/** a store made without one (tests, tools) remembers this much */
const DEFAULT_TOTAL_MAX_BYTES = 8 * 1024 * 1024;

/**
 * The blob stores' memory of what they have just written or read: up to `maxTotalBytes`
 * (blobs.cacheMegabytes) of blobs of at most 256 KiB each, the one used longest ago
 * forgotten first. Delivery reads each new message right after SMTP stored it, and a
 * person's phone and desktop each fetch it; this spares those reads a trip to PostgreSQL,
 * the disk or the network. Blobs never change (their name is their hash), so what is
 * remembered is always right, and the stores of one process share one memory
 * (open-blob-store.ts).
 */
export class RecentBlobs {
  private readonly blobs = new Map<string, Buffer>();
  private bytes = 0;

  constructor(private readonly maxTotalBytes = DEFAULT_TOTAL_MAX_BYTES) {}

  /** Gathers a blob's chunks while it is being stored, for as long as it is small enough to remember. */
  collector(): SmallBlobCollector {
    return new SmallBlobCollector(RECENT_BLOB_MAX_BYTES);
  }

  remember(hash: string, bytes: Buffer) {
    if (this.blobs.has(hash)) return;
    this.blobs.set(hash, bytes);
    this.bytes += bytes.length;
    for (const [old, buffer] of this.blobs) {
      if (this.bytes <= this.maxTotalBytes) break;
      this.blobs.delete(old);
      this.bytes -= buffer.length;
    }
  }

  forget(hash: string) {
    const buffer = this.blobs.get(hash);
    if (!buffer) return;
    this.blobs.delete(hash);
    this.bytes -= buffer.length;
  }

  get(hash: string): Buffer | undefined {
    const bytes = this.blobs.get(hash);
    if (bytes) {
      // the most recently used last: Map keeps insertion order
      this.blobs.delete(hash);
      this.blobs.set(hash, bytes);
    }
    return bytes;
  }

  /** bytes [start, end) of a remembered blob; undefined when it is not remembered */
  range(hash: string, start: number, end: number): Buffer | undefined {
    return this.blobs.get(hash)?.subarray(start, Math.max(start, end));
  }
}

/** The chunks of a blob being written, dropped as soon as it grows past the limit. */
export class SmallBlobCollector {
  private chunks: Buffer[] | undefined = [];
  private size = 0;

  constructor(private readonly maxBytes: number) {}

  add(chunk: Buffer) {
    this.size += chunk.length;
    if (this.chunks && this.size <= this.maxBytes) this.chunks.push(chunk);
    else this.chunks = undefined;
  }

  /** the whole blob, or undefined when it was too large to keep */
  bytes(): Buffer | undefined {
    return this.chunks && Buffer.concat(this.chunks);
  }
}
