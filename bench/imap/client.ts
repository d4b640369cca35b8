/**
 * A minimal IMAP client for the bench, on a raw socket so a timing ends exactly when the
 * tagged response has arrived and every untagged response before it was read (literals
 * included). One command at a time per connection; literals are sent as LITERAL+
 * (RFC 7888), which both servers announce, so a command goes out in one write.
 */
import net from 'node:net';
import tls from 'node:tls';

export interface ImapResponse {
  status: 'OK' | 'NO' | 'BAD';
  /** the tagged line after the status, response code included */
  text: string;
  /** untagged responses, each one logical line with its literals inlined (latin1) */
  untagged: string[];
}

export interface ConnectOptions {
  port: number;
  host?: string;
  /** implicit TLS (the IMAPS port); self-signed certificates are accepted */
  tls?: boolean;
  /** source address, to spread connections over 127.0.0.x */
  localAddress?: string;
  timeoutMs?: number;
}

/** An IMAP-level NO/BAD or a broken connection, with the command that caused it. */
export class ImapClientError extends Error {}

const LITERAL_AT_END = /\{(\d+)\+?\}$/;

export class ImapClient {
  private buf: Buffer = Buffer.alloc(0);
  /** the logical line being assembled (a line with literals spans several CRLFs) */
  private parts: string[] = [];
  private literalLeft = -1;
  private untagged: string[] = [];
  private waiting: { tag: string; resolve: (r: ImapResponse) => void; reject: (e: Error) => void } | null = null;
  private onContinuation: (() => void) | null = null;
  private greeting: { resolve: (line: string) => void; reject: (e: Error) => void } | null = null;
  private counter = 0;
  private closedError: Error | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    const fail = (err: Error) => {
      this.closedError ??= err;
      this.greeting?.reject(err);
      this.waiting?.reject(err);
      this.greeting = null;
      this.waiting = null;
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new ImapClientError('connection closed by the server')));
  }

  static async connect(o: ConnectOptions): Promise<ImapClient> {
    const host = o.host ?? '127.0.0.1';
    const socket = o.tls
      ? tls.connect({ host, port: o.port, rejectUnauthorized: false, ...(o.localAddress ? { localAddress: o.localAddress } : {}) })
      : net.connect({ host, port: o.port, ...(o.localAddress ? { localAddress: o.localAddress } : {}) });
    socket.setNoDelay(true);
    const client = new ImapClient(socket);
    const greeting = new Promise<string>((resolve, reject) => (client.greeting = { resolve, reject }));
    const timer = setTimeout(() => socket.destroy(new ImapClientError(`no greeting within ${o.timeoutMs ?? 30_000} ms`)), o.timeoutMs ?? 30_000);
    try {
      const line = await greeting;
      if (!/^\* (OK|PREAUTH)/i.test(line)) throw new ImapClientError(`refused: ${line.slice(0, 200)}`);
    } catch (err) {
      socket.destroy();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return client;
  }

  /** Sends `tag <command>` (pieces joined as they are) and resolves with the whole response. */
  command(...pieces: Array<string | Buffer>): Promise<ImapResponse> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (this.waiting) return Promise.reject(new ImapClientError('one command at a time'));
    const tag = `b${++this.counter}`;
    const done = new Promise<ImapResponse>((resolve, reject) => (this.waiting = { tag, resolve, reject }));
    this.socket.write(Buffer.concat([Buffer.from(`${tag} `), ...pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)), Buffer.from('\r\n')]));
    return done;
  }

  /** Like command(), but a NO or BAD becomes an error naming the command. */
  async ok(...pieces: Array<string | Buffer>): Promise<ImapResponse> {
    const r = await this.command(...pieces);
    if (r.status !== 'OK') {
      // the command's name only: no arguments (passwords), and failures group by reason
      const name = typeof pieces[0] === 'string' ? (/^(UID \S+|\S+)/i.exec(pieces[0])?.[1] ?? 'command') : 'command';
      throw new ImapClientError(`${name} → ${r.status} ${r.text.slice(0, 200)}`);
    }
    return r;
  }

  /** RFC 2177: IDLE, wait for the continuation, stay `ms`, then DONE; resolves with the tagged response. */
  async idle(ms: number): Promise<ImapResponse> {
    let idling = false;
    const continued = new Promise<void>((resolve) => (this.onContinuation = resolve)).then(() => (idling = true));
    const done = this.command('IDLE');
    await Promise.race([continued, done]);
    this.onContinuation = null;
    // refused at once (NO/BAD): nothing to end
    if (!idling) return done;
    await new Promise((r) => setTimeout(r, ms));
    if (!this.closedError) this.socket.write('DONE\r\n');
    return done;
  }

  async logout(): Promise<void> {
    await this.command('LOGOUT').catch(() => {});
    this.socket.destroy();
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let pos = 0;
    for (;;) {
      if (this.literalLeft >= 0) {
        if (this.buf.length - pos < this.literalLeft) break;
        this.parts.push(this.buf.toString('latin1', pos, pos + this.literalLeft));
        pos += this.literalLeft;
        this.literalLeft = -1;
        continue;
      }
      const end = this.buf.indexOf('\r\n', pos);
      if (end < 0) break;
      const line = this.buf.toString('latin1', pos, end);
      pos = end + 2;
      this.parts.push(line);
      const literal = LITERAL_AT_END.exec(line);
      if (literal) {
        this.literalLeft = Number(literal[1]);
        continue;
      }
      const whole = this.parts.length === 1 ? line : this.parts.join('\r\n');
      this.parts = [];
      this.line(whole);
    }
    this.buf = pos >= this.buf.length ? Buffer.alloc(0) : this.buf.subarray(pos);
  }

  private line(line: string) {
    if (this.greeting) {
      this.greeting.resolve(line);
      this.greeting = null;
      return;
    }
    if (line.startsWith('* ')) {
      this.untagged.push(line);
      return;
    }
    if (line.startsWith('+')) {
      this.onContinuation?.();
      return;
    }
    const w = this.waiting;
    if (w && line.startsWith(`${w.tag} `)) {
      const rest = line.slice(w.tag.length + 1);
      const space = rest.indexOf(' ');
      const status = (space < 0 ? rest : rest.slice(0, space)).toUpperCase() as ImapResponse['status'];
      const response = { status, text: space < 0 ? '' : rest.slice(space + 1), untagged: this.untagged };
      this.untagged = [];
      this.waiting = null;
      w.resolve(response);
    }
  }
}

/** An IMAP quoted string, or a LITERAL+ literal for anything that is not plain ASCII. */
export function imapString(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text) && text.length < 1000) return `"${text.replace(/(["\\])/g, '\\$1')}"`;
  return `{${Buffer.byteLength(text)}+}\r\n${text}`;
}
