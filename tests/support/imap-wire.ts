/**
 * A byte-exact IMAP client for replaying the golden corpus: commands may carry
 * synchronizing literals (sent after the server's "+" continuation), and every response
 * is read by its literal byte counts, so 8-bit, NUL and literal8 data arrive unchanged.
 */
import net from 'node:net';

export interface WireAnswer {
  /** every untagged response, concatenated byte for byte (CRLFs and literals included) */
  untagged: Buffer;
  /** the tagged status line, tag included, without CRLF */
  tagged: string;
}

/** A command as text pieces and literals (a Buffer is sent as a synchronizing literal). */
export type CommandPart = string | Buffer;

export class ImapWire {
  private buf: Buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => {});
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<ImapWire> {
    const socket = net.connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    return new ImapWire(socket);
  }

  private async more(until: number): Promise<void> {
    if (this.closed) throw new Error('connection closed');
    if (Date.now() > until) throw new Error(`no complete response in time; have ${JSON.stringify(this.buf.subarray(0, 200).toString('latin1'))}`);
    await new Promise<void>((r) => {
      this.waiters.push(r);
      setTimeout(r, 50);
    });
  }

  /** One complete response (a line with all its literals), CRLF included. */
  async response(timeoutMs = 10_000): Promise<Buffer> {
    const until = Date.now() + timeoutMs;
    let scan = 0;
    for (;;) {
      const crlf = this.buf.indexOf('\r\n', scan);
      if (crlf < 0) {
        await this.more(until);
        continue;
      }
      const tail = this.buf.toString('latin1', Math.max(scan, crlf - 24), crlf);
      const m = /~?\{(\d+)\+?\}$/.exec(tail);
      if (m) {
        const end = crlf + 2 + Number(m[1]);
        while (this.buf.length < end) await this.more(until);
        scan = end;
        continue;
      }
      const out = Buffer.from(this.buf.subarray(0, crlf + 2));
      this.buf = this.buf.subarray(crlf + 2);
      return out;
    }
  }

  /** Sends `tag parts...` and collects the answer up to the tagged line. */
  async command(tag: string, parts: CommandPart[] | string, timeoutMs = 10_000): Promise<WireAnswer> {
    const list = typeof parts === 'string' ? [parts] : parts;
    const untagged: Buffer[] = [];
    let text = `${tag} `;
    for (const part of list) {
      if (typeof part === 'string') {
        text += part;
        continue;
      }
      this.socket.write(Buffer.from(`${text}{${part.length}}\r\n`, 'latin1'));
      text = '';
      // wait for the continuation request (or an early tagged refusal)
      for (;;) {
        const r = await this.response(timeoutMs);
        if (r[0] === 0x2b) break;
        const line = r.toString('latin1');
        if (line.startsWith(`${tag} `)) return { untagged: Buffer.concat(untagged), tagged: line.slice(0, -2) };
        untagged.push(r);
      }
      this.socket.write(part);
    }
    this.socket.write(Buffer.from(`${text}\r\n`, 'latin1'));
    return this.answer(tag, untagged, timeoutMs);
  }

  /** Sends a command without literals and does not wait (pipelining); collect it with `answer`. */
  send(tag: string, command: string): void {
    this.socket.write(Buffer.from(`${tag} ${command}\r\n`, 'latin1'));
  }

  /** Reads untagged responses up to `tag`'s tagged line. */
  async answer(tag: string, untagged: Buffer[] = [], timeoutMs = 10_000): Promise<WireAnswer> {
    for (;;) {
      const r = await this.response(timeoutMs);
      const line = r.toString('latin1');
      if (line.startsWith(`${tag} `)) return { untagged: Buffer.concat(untagged), tagged: line.slice(0, -2) };
      untagged.push(r);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * Turns a golden transcript's "=== C:" text (without the tag) into what was sent:
 * a quoted string with non-ASCII characters becomes a literal of its UTF-8 bytes,
 * `"ho\u0323p" (NFD: …)` a literal of the NFD string, `"họp" (8-bit, no CHARSET)` a literal
 * of its UTF-8 bytes (the note is dropped), and
 * `{windows-1258 bytes of "họp": 686ff270}` a literal of those bytes.
 */
export function goldenCommandParts(command: string): CommandPart[] {
  const parts: CommandPart[] = [];
  let text = '';
  const re = /\{windows-1258 bytes of "[^"]*": ([0-9a-f]+)\}|"((?:[^"\\]|\\.)*)"( \((?:NFD|8-bit)[^)]*\))?/g;
  let last = 0;
  for (let m = re.exec(command); m; m = re.exec(command)) {
    text += command.slice(last, m.index);
    last = m.index + m[0].length;
    if (m[1] !== undefined) {
      parts.push(text, Buffer.from(m[1], 'hex'));
      text = '';
      continue;
    }
    const raw = m[2] as string;
    if (m[3] !== undefined && m[3].startsWith(' (NFD')) {
      const nfd = raw.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
      parts.push(text, Buffer.from(nfd, 'utf8'));
      text = '';
      continue;
    }
    // eslint-disable-next-line no-control-regex
    if (/[^\x00-\x7f]/.test(raw)) {
      parts.push(text, Buffer.from(raw.replace(/\\(.)/g, '$1'), 'utf8'));
      text = '';
      continue;
    }
    text += m[0];
  }
  text += command.slice(last);
  if (text) parts.push(text);
  return parts;
}
