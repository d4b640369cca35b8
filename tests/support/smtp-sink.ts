import { SMTPServer } from 'smtp-server';

export interface SinkMessage {
  from: string;
  to: string[];
  raw: Buffer;
  /** the session was encrypted (STARTTLS) */
  secure: boolean;
}

export interface SmtpSink {
  port: number;
  messages: SinkMessage[];
  /** answer RCPT TO for this address with this code and text */
  refuse(address: string, code: number, text: string): void;
  stop(): Promise<void>;
}

/** A stand-in for another organisation's mail server: a real smtp-server on loopback that keeps what it receives. */
export async function startSmtpSink(options: { auth?: { user: string; pass: string } } = {}): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const refusals = new Map<string, { code: number; text: string }>();
  const server = new SMTPServer({
    authOptional: !options.auth,
    allowInsecureAuth: true,
    disabledCommands: options.auth ? ['STARTTLS'] : [],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === options.auth?.user && auth.password === options.auth?.pass) return cb(null, { user: auth.username });
      cb(Object.assign(new Error('bad credentials'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      const r = refusals.get(address.address.toLowerCase());
      if (r) return cb(Object.assign(new Error(r.text), { responseCode: r.code }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          secure: session.secure,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    messages,
    refuse: (addr, code, text) => refusals.set(addr.toLowerCase(), { code, text }),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
