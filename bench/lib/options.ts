/** Knobs of `npm run bench`, from the environment; defaults are the numbers. */
export interface BenchOptions {
  /** messages per run (each run: the reference sink, then hopthu) */
  messages: number;
  /** concurrent SMTP connections, each carrying many messages */
  connections: number;
  /** local mailboxes the messages are spread over */
  mailboxes: number;
  /** approximate size of one message in bytes */
  messageBytes: number;
  /** sign every message with DKIM (rsa-sha256) so the MX verifies a real signature */
  dkim: boolean;
  /** STARTTLS on every connection (both runs); off by default, as on a loopback link */
  tls: boolean;
  /** use dist/ as it is instead of building it */
  skipBuild: boolean;
  /** whole bench, seconds; everything started is stopped when it runs out */
  timeoutSeconds: number;
  /** write a V8 CPU profile of hopthu's node process to this directory (BENCH_PROFILE=1: $TMPDIR/hopthu-bench-profiles) */
  profile: boolean;
  /** give up waiting for deliveries after this many seconds without progress */
  stallSeconds: number;
}

/** A whole-number knob from the environment, `fallback` when unset; a bad value stops the bench naming it. */
export function intEnv(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name}=${raw}: expected a whole number >= ${min}`);
  return n;
}

function bool(name: string, fallback: boolean): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error(`${name}=${raw}: expected 1 or 0`);
}

export function readOptions(): BenchOptions {
  return {
    messages: intEnv('BENCH_MESSAGES', 10_000),
    connections: intEnv('BENCH_CONNECTIONS', 20),
    mailboxes: intEnv('BENCH_MAILBOXES', 100),
    messageBytes: intEnv('BENCH_MESSAGE_BYTES', 4096, 1024),
    dkim: bool('BENCH_DKIM', true),
    tls: bool('BENCH_TLS', false),
    skipBuild: bool('BENCH_SKIP_BUILD', false),
    timeoutSeconds: intEnv('BENCH_TIMEOUT_SECONDS', 3600),
    profile: bool('BENCH_PROFILE', false),
    stallSeconds: intEnv('BENCH_STALL_SECONDS', 90),
  };
}
