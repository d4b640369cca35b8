import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

/**
 * smtp-server derives the enhanced status code (RFC 3463) from the basic code alone, so
 * every 550 would read 5.1.1 — wrong for a relay refusal (5.7.1) or a DMARC failure.
 * A refusal text that starts with its own enhanced code keeps that code instead:
 * `new SmtpReject(550, '5.7.1', ...)` goes out as `550 5.7.1 ...`.
 */
const ENHANCED_PREFIX = /^[245]\.\d{1,3}\.\d{1,3} /;
let installed = false;

export function installEnhancedCodePassthrough() {
  if (installed) return;
  installed = true;
  const proto = SMTPConnection.prototype as unknown as { send(code: number, data: unknown, context?: unknown): void };
  const original = proto.send;
  proto.send = function (this: unknown, code: number, data: unknown, context?: unknown) {
    if (typeof data === 'string' && ENHANCED_PREFIX.test(data)) return original.call(this, code, data, false);
    return original.call(this, code, data, context);
  };
}
