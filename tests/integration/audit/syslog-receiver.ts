import net from 'node:net';
import tls from 'node:tls';

/** Splits an RFC 6587 §3.4.1 octet-counted stream into messages; returns them and the unconsumed rest. */
export function parseOctetCounted(buffer: Buffer): { messages: string[]; rest: Buffer } {
  const messages: string[] = [];
  let offset = 0;
  for (;;) {
    const space = buffer.indexOf(0x20, offset);
    if (space < 0) break;
    const lenText = buffer.subarray(offset, space).toString('ascii');
    if (!/^[1-9]\d{0,8}$/.test(lenText)) throw new Error(`not an octet-counted frame: "${lenText.slice(0, 20)}"`);
    const end = space + 1 + Number(lenText);
    if (end > buffer.length) break;
    messages.push(buffer.subarray(space + 1, end).toString('utf8'));
    offset = end;
  }
  return { messages, rest: buffer.subarray(offset) };
}

export interface Receiver {
  port: number;
  messages: string[];
  stop(): Promise<void>;
  /** resolves when at least n messages arrived */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
}

/** A syslog receiver (TCP, or TLS with the given key and certificate) on a loopback port. */
export async function startReceiver(opts: { port?: number; tls?: { key: Buffer; cert: Buffer }; messages?: string[] } = {}): Promise<Receiver> {
  const messages = opts.messages ?? [];
  const sockets = new Set<net.Socket>();
  const onConnection = (socket: net.Socket) => {
    sockets.add(socket);
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const { messages: got, rest } = parseOctetCounted(Buffer.concat([pending, chunk]));
      messages.push(...got);
      pending = rest;
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  };
  const server = opts.tls ? tls.createServer({ key: opts.tls.key, cert: opts.tls.cert }, onConnection) : net.createServer(onConnection);
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    messages,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async waitFor(n, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (Date.now() > until) throw new Error(`the receiver has ${messages.length} messages, expected ${n}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/** RFC 5424 fields of one message, enough for the tests */
export function parseSyslog(message: string) {
  const m = /^<(\d+)>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\[.*?[^\\]\]) \uFEFF(.*)$/s.exec(message);
  if (!m) throw new Error(`not an RFC 5424 message: ${message}`);
  const params: Record<string, string> = {};
  for (const p of m[7]!.matchAll(/ (\w+)="((?:[^"\\]|\\.)*)"/g)) params[p[1]!] = p[2]!.replace(/\\(["\\\]])/g, '$1');
  return { pri: Number(m[1]), timestamp: m[2]!, hostname: m[3]!, app: m[4]!, procid: m[5]!, msgid: m[6]!, sdId: /^\[(\S+)/.exec(m[7]!)![1]!, params, msg: JSON.parse(m[8]!) as unknown };
}
