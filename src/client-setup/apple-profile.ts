import { createHash } from 'node:crypto';
import { xmlEscape, type ClientSettings } from './settings.js';

/** A stable UUID from a text (RFC 4122 layout, version 5-like bits), so a profile downloaded twice replaces itself. */
function uuidFrom(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

/**
 * An Apple configuration profile (com.apple.mail.managed) for iPhone, iPad and macOS Mail:
 * IMAP and SMTP over TLS with the address as the login; the password is asked on the
 * device, never put in the file.
 */
export function appleProfile(address: string, displayName: string, domain: string, s: ClientSettings): string {
  const key = (k: string, v: string) => `      <key>${k}</key>\n      <string>${xmlEscape(v)}</string>`;
  const num = (k: string, v: number) => `      <key>${k}</key>\n      <integer>${v}</integer>`;
  const bool = (k: string, v: boolean) => `      <key>${k}</key>\n      <${v}/>`;
  const reverse = domain.split('.').reverse().join('.');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
  <dict>
    <key>PayloadContent</key>
    <array>
      <dict>
${key('EmailAccountDescription', address)}
${key('EmailAccountName', displayName)}
${key('EmailAccountType', 'EmailTypeIMAP')}
${key('EmailAddress', address)}
${key('IncomingMailServerAuthentication', 'EmailAuthPassword')}
${key('IncomingMailServerHostName', s.host)}
${num('IncomingMailServerPortNumber', s.imaps)}
${bool('IncomingMailServerUseSSL', true)}
${key('IncomingMailServerUsername', address)}
${key('OutgoingMailServerAuthentication', 'EmailAuthPassword')}
${key('OutgoingMailServerHostName', s.host)}
${num('OutgoingMailServerPortNumber', s.submissions)}
${bool('OutgoingMailServerUseSSL', true)}
${key('OutgoingMailServerUsername', address)}
${bool('OutgoingPasswordSameAsIncomingPassword', true)}
${key('PayloadDisplayName', `Thư điện tử ${address}`)}
${key('PayloadIdentifier', `${reverse}.hopthu.mail.${address}`)}
${key('PayloadType', 'com.apple.mail.managed')}
${key('PayloadUUID', uuidFrom(`mail:${address}`))}
${num('PayloadVersion', 1)}
      </dict>
    </array>
${key('PayloadDisplayName', `Thư điện tử ${domain}`)}
${key('PayloadIdentifier', `${reverse}.hopthu.${address}`)}
${key('PayloadType', 'Configuration')}
${key('PayloadUUID', uuidFrom(`profile:${address}`))}
${num('PayloadVersion', 1)}
  </dict>
</plist>
`;
}
