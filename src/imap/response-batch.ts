/** Where a batch goes: the session's send and drain. */
export interface ResponseSink {
  send(bytes: Buffer): void;
  drain(): Promise<void>;
}

/** a write of about this size: few syscalls, and memory stays bounded */
const FLUSH_BYTES = 64 * 1024;

/**
 * Many untagged responses (a FETCH 1:* of a big folder) gathered into writes of ~64 KB.
 * IMAP sockets set TCP_NODELAY, so a write per response would be a syscall (and a TLS
 * record) per message. The caller flushes before its tagged answer.
 */
export class ResponseBatch {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(private readonly sink: ResponseSink) {}

  async add(response: Buffer): Promise<void> {
    this.parts.push(response);
    this.size += response.length;
    if (this.size >= FLUSH_BYTES) await this.flush();
  }

  /** writes what is gathered, then waits while the socket's buffer is full */
  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    // one large response (a message body) goes out as it is, without a copy
    const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    this.sink.send(bytes);
    await this.sink.drain();
  }
}
