/** What the IMAP scenarios need of a server under test: hopthu or the reference Dovecot. */
export interface ImapUser {
  user: string;
  password: string;
}

export interface ImapServer {
  /** 'other': a second hopthu build in Dovecot's place (BENCH_IMAP_COMPARE_DIST) */
  name: 'hopthu' | 'dovecot' | 'other';
  /** plain IMAP (LOGIN allowed from loopback) */
  imapPort: number;
  /** implicit TLS */
  imapsPort: number;
  /** the process whose tree holds the server (node; Dovecot's master) */
  pid: number;
  /** accounts user0..user{n-1}, in order */
  users: ImapUser[];
  stop(): Promise<void>;
}

/** `LOGIN user password` as quoted strings. */
export const loginCommand = (u: ImapUser) => `LOGIN "${u.user}" "${u.password}"`;
