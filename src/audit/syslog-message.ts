import type { StoredAuditEvent } from './events.js';

/** RFC 5424 §6.2.1: facility 13 is "log audit" */
export const FACILITY_LOG_AUDIT = 13;
const SEVERITY_WARNING = 4;
const SEVERITY_NOTICE = 5;
/** RFC 5424 §7.2.2 / RFC 5612: 32473 is the enterprise number reserved for examples and private use in documentation */
export const SD_ID = 'hopthu@32473';

/** failures and lockouts are warnings, everything else a notice */
export function severityOf(action: string): number {
  return /(^|\.)(failure|lockout|locked)(\.|$)/.test(action) ? SEVERITY_WARNING : SEVERITY_NOTICE;
}

/** RFC 5424 §6.3.3: '"', '\' and ']' in a PARAM-VALUE are escaped with '\' */
export const escapeParamValue = (v: string) => v.replace(/["\\\]]/g, (c) => `\\${c}`);

/** RFC 5424 §6: header fields are printable US-ASCII without spaces, '-' when empty */
function headerField(value: string, max: number): string {
  const v = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return v || '-';
}

/**
 * One event as an RFC 5424 message: the event's fields as structured data (SD-ID
 * hopthu@32473), its details as the MSG, JSON in UTF-8 behind a BOM (§6.4).
 */
export function formatSyslogMessage(e: StoredAuditEvent, hostname: string): string {
  const pri = FACILITY_LOG_AUDIT * 8 + severityOf(e.action);
  const params: Array<[string, string | number | null]> = [
    ['id', e.id],
    ['actor', e.actor],
    ['action', e.action],
    ['target', e.target],
    ['source', e.source],
    ['agency', e.agencyId],
    ['hash', e.hash],
    ['prevHash', e.prevHash],
  ];
  const sd = `[${SD_ID}${params
    .filter(([, v]) => v !== null)
    .map(([k, v]) => ` ${k}="${escapeParamValue(String(v))}"`)
    .join('')}]`;
  // RFC 5424 §6: <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG
  const header = `<${pri}>1 ${e.at.toISOString()} ${headerField(hostname, 255)} hopthu - ${headerField(e.action, 32)}`;
  return `${header} ${sd} \uFEFF${JSON.stringify(e.data)}`;
}

/** RFC 6587 §3.4.1 octet counting: MSG-LEN SP SYSLOG-MSG, the length in octets */
export function frameOctetCounted(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
