import net from 'node:net';
import { imapConnections } from '../shared/metrics.js';
import tls from 'node:tls';
import type { TlsMaterial } from '../store/tls.js';
import type { ImapContext } from './context.js';
import { Session } from './session.js';
import { untaggedStatus } from './protocol/response-writer.js';
import type { ConnectionCounter } from '../shared/connection-counter.js';

export interface ImapListener {
  role: 'imap' | 'imaps';
  port: number;
  close(): Promise<void>;
}

/**
 * IMAP on `port` with STARTTLS (role imap), or implicit TLS (role imaps, RFC 8314 §3.2).
 */
export async function listenImap(
  ctx: ImapContext,
  role: 'imap' | 'imaps',
  port: number,
  host: string,
  material: TlsMaterial,
  connections: ConnectionCounter,
): Promise<ImapListener> {
  const sockets = new Set<net.Socket>();
  const accept = (socket: net.Socket) => {
    const ip = socket.remoteAddress ?? 'unknown';
    // a response often goes out in several writes: without this, each would wait for the
    // client's delayed ACK (Nagle), about 40 ms a command
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    if (!connections.tryOpen(ip)) {
      // RFC 9051 §7.1.5: BYE as the greeting refuses the connection
      socket.end(untaggedStatus('BYE', 'Too many connections from your address; close some and try again', 'UNAVAILABLE'));
      return;
    }
    sockets.add(socket);
    imapConnections.inc();
    socket.once('close', () => {
      sockets.delete(socket);
      connections.close(ip);
      imapConnections.dec();
    });
    try {
      new Session(ctx, socket, { implicitTls: role === 'imaps' }).greet();
    } catch (err) {
      ctx.log.error({ err }, 'IMAP session failed to start');
      socket.destroy();
    }
  };
  const server =
    role === 'imaps'
      ? tls.createServer({ key: material.key, cert: material.cert }, accept)
      : net.createServer(accept);
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  return {
    role,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) {
          if (s.writable) s.write(untaggedStatus('BYE', 'Server shutting down'));
          s.destroy();
        }
      }),
  };
}
