import { xmlEscape, type ClientSettings } from './settings.js';

/**
 * Thunderbird's autoconfig document (clientConfig version 1.1), for a domain: implicit TLS
 * first, STARTTLS as the alternative; the user name is the full address
 * (%EMAILADDRESS%, filled in by the client).
 */
export function autoconfigXml(domain: string, displayName: string, s: ClientSettings): string {
  const server = (kind: 'imap' | 'smtp', port: number, socket: 'SSL' | 'STARTTLS') =>
    `    <${kind === 'imap' ? 'incomingServer type="imap"' : 'outgoingServer type="smtp"'}>
      <hostname>${xmlEscape(s.host)}</hostname>
      <port>${port}</port>
      <socketType>${socket}</socketType>
      <authentication>password-cleartext</authentication>
      <username>%EMAILADDRESS%</username>
    </${kind === 'imap' ? 'incomingServer' : 'outgoingServer'}>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="${xmlEscape(domain)}">
    <domain>${xmlEscape(domain)}</domain>
    <displayName>${xmlEscape(displayName)}</displayName>
    <displayShortName>${xmlEscape(domain)}</displayShortName>
${server('imap', s.imaps, 'SSL')}
${server('imap', s.imap, 'STARTTLS')}
${server('smtp', s.submissions, 'SSL')}
${server('smtp', s.submission, 'STARTTLS')}
  </emailProvider>
</clientConfig>
`;
}
