import type { SMTPServerSession } from 'smtp-server';
import type { ListenerRole } from './context.js';

/** RFC 5321 §4.4 trace header, with the RFC 3848 protocol type (ESMTP, ESMTPS, ESMTPSA, UTF8...). */
export function receivedHeader(hostname: string, session: SMTPServerSession, role: ListenerRole): string {
  const tls = session.secure;
  const auth = Boolean(session.user) && role !== 'mx';
  const utf8 = session.envelope.smtpUtf8 ? 'UTF8' : '';
  // RFC 6531 §3.7.3 / RFC 3848 §2: UTF8SMTPS, ESMTPSA ...
  const protocol = utf8 ? `${utf8}SMTP${tls ? 'S' : ''}${auth ? 'A' : ''}` : `ESMTP${tls ? 'S' : ''}${auth ? 'A' : ''}`;
  const helo = clean(session.hostNameAppearsAs || 'unknown');
  const rdns = session.clientHostname && session.clientHostname !== `[${session.remoteAddress}]` ? `${clean(session.clientHostname)} ` : '';
  const tlsInfo = tls && session.tlsOptions ? ` (${clean(session.tlsOptions.version ?? '')} ${clean(session.tlsOptions.name)})` : '';
  const date = new Date().toUTCString().replace('GMT', '+0000');
  return `Received: from ${helo} (${rdns}[${session.remoteAddress}])\r\n\tby ${hostname} (hopthu) with ${protocol}${tlsInfo}\r\n\tid ${clean(session.id)}; ${date}\r\n`;
}

/** Keeps client-chosen text from breaking the header. */
const clean = (s: string) => s.replace(/[^\x21-\x7e]/g, '').slice(0, 200);
