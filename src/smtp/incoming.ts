import { createReadStream } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';

/** Messages up to this size stay in memory; larger ones spill to a temporary file. */
const MEMORY_LIMIT = 1024 * 1024;
/** Enough of the start of a message to hold its header. */
const HEAD_LIMIT = 256 * 1024;

/** The DATA of one SMTP transaction, held without ever being a string. */
export class IncomingMessage {
  private chunks: Buffer[] = [];
  private file?: { handle: FileHandle; path: string };
  size = 0;
  /** the first HEAD_LIMIT bytes as received: references to the chunks, joined when asked */
  private headChunks: Buffer[] = [];
  private headBytes = 0;
  private joinedHead: Buffer | undefined;

  constructor(private readonly tmpDir: string) {}

  /**
   * The start of the message, at most HEAD_LIMIT bytes. A message that came in one chunk (most
   * do) is not copied; the head used to be copied again with every chunk, a second copy of
   * every small message held until its 250.
   */
  get head(): Buffer {
    this.joinedHead ??= this.headChunks.length === 1 ? this.headChunks[0]! : Buffer.concat(this.headChunks, this.headBytes);
    return this.joinedHead;
  }

  async write(chunk: Buffer) {
    if (this.headBytes < HEAD_LIMIT) {
      const piece = chunk.subarray(0, HEAD_LIMIT - this.headBytes);
      this.headChunks.push(piece);
      this.headBytes += piece.length;
      this.joinedHead = undefined;
    }
    this.size += chunk.length;
    if (!this.file && this.size > MEMORY_LIMIT) {
      const p = path.join(this.tmpDir, `incoming-${Date.now()}-${randomBytes(6).toString('hex')}`);
      this.file = { handle: await open(p, 'wx', 0o600), path: p };
      for (const c of this.chunks) await this.file.handle.write(c);
      this.chunks = [];
    }
    if (this.file) await this.file.handle.write(chunk);
    else this.chunks.push(chunk);
  }

  /** The bytes again, from `start` (default the beginning), as often as needed. */
  stream(start = 0): Readable {
    if (this.file) return createReadStream(this.file.path, { start });
    return Readable.from(sliceChunks(this.chunks, start));
  }

  async *iterate(start = 0): AsyncGenerator<Buffer> {
    for await (const chunk of this.stream(start)) yield chunk as Buffer;
  }

  async dispose() {
    if (!this.file) return;
    await this.file.handle.close().catch(() => {});
    await unlink(this.file.path).catch(() => {});
  }
}

export async function receive(source: AsyncIterable<Buffer>, tmpDir: string): Promise<IncomingMessage> {
  const message = new IncomingMessage(tmpDir);
  try {
    for await (const chunk of source) await message.write(chunk);
  } catch (err) {
    await message.dispose();
    throw err;
  }
  return message;
}

function* sliceChunks(chunks: Buffer[], start: number): Generator<Buffer> {
  let skip = start;
  for (const chunk of chunks) {
    if (skip >= chunk.length) {
      skip -= chunk.length;
      continue;
    }
    yield skip ? chunk.subarray(skip) : chunk;
    skip = 0;
  }
}
