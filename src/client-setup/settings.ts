import type { Config } from '../config/index.js';

/** What a mail client needs to know about this server: one host, the IMAP and submission ports. */
export interface ClientSettings {
  host: string;
  imaps: number;
  imap: number;
  submissions: number;
  submission: number;
}

export const clientSettingsOf = (config: Readonly<Config>): ClientSettings => ({
  host: config.hostname,
  imaps: config.ports.imaps,
  imap: config.ports.imap,
  submissions: config.ports.submissions,
  submission: config.ports.submission,
});

/** XML text and attribute escaping (XML 1.0 §2.4). */
export const xmlEscape = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
