/**
 * The reference: a bare smtp-server on loopback that reads each message and throws it
 * away. Run as its own process (like hopthu) so it does not share the load generator's
 * event loop: `node --import tsx bench/smtp/sink.ts [--tls]`. Prints {"port":N} when
 * listening; on SIGTERM prints {"received":N,"bytes":B} and exits.
 */
import { SMTPServer } from 'smtp-server';

const tls = process.argv.includes('--tls');
let received = 0;
let bytes = 0;

const server = new SMTPServer({
  name: 'sink.bench.test',
  logger: false,
  authOptional: true,
  disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
  disableReverseLookup: true,
  size: 25 * 1024 * 1024,
  onData(stream, _session, callback) {
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    stream.on('end', () => {
      received++;
      callback();
    });
  },
});

server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});

process.once('SIGTERM', () => {
  process.stdout.write(`${JSON.stringify({ received, bytes })}\n`);
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
