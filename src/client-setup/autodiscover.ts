import { xmlEscape, type ClientSettings } from './settings.js';

/** The address an Outlook Autodiscover (POX) request asks about: its <EMailAddress>. */
export function requestedAddress(body: string): string | undefined {
  const m = /<EMailAddress>\s*([^<\s]+)\s*<\/EMailAddress>/i.exec(body);
  return m?.[1];
}

/**
 * The Autodiscover (POX, "outlook" response schema) answer: IMAP over implicit TLS and
 * SMTP submission over implicit TLS, the full address as the login name.
 */
export function autodiscoverXml(address: string, displayName: string, s: ClientSettings): string {
  const protocol = (type: 'IMAP' | 'SMTP', port: number) => `      <Protocol>
        <Type>${type}</Type>
        <Server>${xmlEscape(s.host)}</Server>
        <Port>${port}</Port>
        <LoginName>${xmlEscape(address)}</LoginName>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
      </Protocol>`;
  return `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <User>
      <DisplayName>${xmlEscape(displayName)}</DisplayName>
    </User>
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
${protocol('IMAP', s.imaps)}
${protocol('SMTP', s.submissions)}
    </Account>
  </Response>
</Autodiscover>
`;
}
