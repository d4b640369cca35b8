import { z } from 'zod';

/**
 * The one configuration object of hopthu. Every key is documented here and in the
 * README's configuration reference; defaults are the development defaults from
 * DESIGN.md, so an empty configuration starts a working server.
 */
const port = z.number().int().min(0).max(65535);
const hostPort = z.string().regex(/^[^\s:]+(:\d{1,5})?$|^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/, 'host or host:port');

const smarthost = z.strictObject({
  host: z.string().min(1),
  port: port.default(587),
  /** implicit TLS (port 465 style); otherwise STARTTLS is used when offered */
  secure: z.boolean().default(false),
  user: z.string().optional(),
  password: z.string().optional(),
  /** verify the smarthost's certificate */
  tlsVerify: z.boolean().default(true),
});

export const configSchema = z.strictObject({
  /** where embedded PostgreSQL, Redis, blobs and TLS material live */
  dataDir: z.string().min(1).default('./data'),
  /** the name this server gives in SMTP greetings, Received headers and DSNs */
  hostname: z.string().min(1).default('localhost'),
  /** external PostgreSQL; when absent an embedded cluster starts under dataDir/postgres */
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'a postgresql:// URL').optional(),
  /** external Redis; when absent redis-server starts as a child under dataDir/redis */
  redisUrl: z.string().regex(/^(redis|rediss|redis\+unix|unix):\/\//, 'a redis://, rediss:// or redis+unix:// URL').optional(),
  /** prefix of every Redis key (queues, pub/sub, counters) */
  redisPrefix: z.string().min(1).default('hopthu'),
  /** address the listeners bind to */
  listenHost: z.string().min(1).default('0.0.0.0'),
  ports: z
    .strictObject({
      smtp: port.default(2525),
      submission: port.default(2587),
      submissions: port.default(2465),
      imap: port.default(2143),
      imaps: port.default(2993),
      http: port.default(8080),
    })
    .default({ smtp: 2525, submission: 2587, submissions: 2465, imap: 2143, imaps: 2993, http: 8080 }),
  tls: z
    .strictObject({
      /** PEM files; when both are absent a self-signed pair is made in dataDir/tls */
      certFile: z.string().optional(),
      keyFile: z.string().optional(),
    })
    .default({}),
  smtp: z
    .strictObject({
      maxMessageBytes: z.number().int().min(1024).default(25 * 1024 * 1024),
      maxRecipients: z.number().int().min(1).max(10_000).default(500),
      /** refuse mail whose DMARC check fails under a p=reject policy (RFC 7489 §6.6.2) */
      rejectDmarcFailures: z.boolean().default(true),
      /** run SPF/DKIM/DMARC/ARC on mail arriving on the MX port */
      verifyInbound: z.boolean().default(true),
      maxConnectionsPerIp: z.number().int().min(1).default(20),
      maxMessagesPerIpPerMinute: z.number().int().min(1).default(3000),
      /** seconds of inactivity before a session is closed */
      socketTimeoutSeconds: z.number().int().min(5).default(300),
    })
    .default({
      maxMessageBytes: 25 * 1024 * 1024,
      maxRecipients: 500,
      rejectDmarcFailures: true,
      verifyInbound: true,
      maxConnectionsPerIp: 20,
      maxMessagesPerIpPerMinute: 3000,
      socketTimeoutSeconds: 300,
    }),
  imap: z
    .strictObject({
      /** allow LOGIN / AUTHENTICATE PLAIN without TLS from 127.0.0.0/8 and ::1 (RFC 9051 §6.2.3 otherwise needs TLS) */
      allowPlaintextLoginOnLoopback: z.boolean().default(true),
      maxConnectionsPerIp: z.number().int().min(1).default(50),
      /** RFC 9051 §5.4: the autologout timer is at least 30 minutes */
      idleTimeoutMinutes: z.number().min(30).default(30),
    })
    .default({ allowPlaintextLoginOnLoopback: true, maxConnectionsPerIp: 50, idleTimeoutMinutes: 30 }),
  delivery: z
    .strictObject({
      /** send all outbound mail through this relay instead of MX lookup */
      smarthost: smarthost.optional(),
      /** the port remote MX hosts are contacted on (25; tests use a loopback port) */
      mxPort: port.default(25),
      /** minutes between attempts after a temporary failure; the last repeats */
      retryMinutes: z.array(z.number().positive()).min(1).default([1, 5, 15, 30, 60, 120, 240]),
      /** give up and bounce after this many hours (RFC 5321 §4.5.4.1: at least 4-5 days) */
      maxQueueHours: z.number().positive().default(120),
      /** jobs one worker process runs at once */
      concurrency: z.number().int().min(1).max(200).default(16),
      /** seconds between reconciler sweeps that re-enqueue spool rows no job holds */
      reconcileSeconds: z.number().int().min(1).default(30),
      /** a due row is orphaned only when no job has held it this long (longer than a job's lock) */
      reconcileGraceSeconds: z.number().int().min(1).default(90),
    })
    .default({
      mxPort: 25,
      retryMinutes: [1, 5, 15, 30, 60, 120, 240],
      maxQueueHours: 120,
      concurrency: 16,
      reconcileSeconds: 30,
      reconcileGraceSeconds: 90,
    }),
  dns: z
    .strictObject({
      /** resolvers as host:port; empty uses the system's */
      servers: z.array(hostPort).default([]),
      timeoutMs: z.number().int().min(50).default(3000),
      /** how long answers are kept in this process; 0 asks every time */
      cacheSeconds: z.number().min(0).max(86_400).default(60),
    })
    .default({ servers: [], timeoutMs: 3000, cacheSeconds: 60 }),
  accounts: z
    .strictObject({
      defaultQuotaBytes: z.number().int().min(0).default(2 * 1024 * 1024 * 1024),
    })
    .default({ defaultQuotaBytes: 2 * 1024 * 1024 * 1024 }),
  /** Trash and Junk emptied after this many days (0 keeps them); a domain may set its own (hopthu retention set) */
  retention: z
    .strictObject({
      trashDays: z.number().int().min(0).default(30),
      junkDays: z.number().int().min(0).default(30),
      /** how often the worker applies it */
      intervalMinutes: z.number().int().min(1).default(60),
    })
    .default({ trashDays: 30, junkDays: 30, intervalMinutes: 60 }),
  argon2: z
    .strictObject({
      memoryKiB: z.number().int().min(8 * 1024).default(64 * 1024),
      iterations: z.number().int().min(1).default(3),
      parallelism: z.number().int().min(1).default(1),
    })
    .default({ memoryKiB: 64 * 1024, iterations: 3, parallelism: 1 }),
  /** brute-force protection, checked before any argon2 work (per account and per source IP, shared through Redis) */
  lockout: z
    .strictObject({
      /** failures of one account within the window that lock it */
      maxFailuresPerAccount: z.number().int().min(1).default(10),
      /** failures from one IP address within the window that block it */
      maxFailuresPerIp: z.number().int().min(1).default(30),
      windowMinutes: z.number().positive().default(15),
      /** the first lock; each further lock in a day doubles it, up to maxLockMinutes */
      lockMinutes: z.number().positive().default(15),
      maxLockMinutes: z.number().positive().default(24 * 60),
    })
    .default({ maxFailuresPerAccount: 10, maxFailuresPerIp: 30, windowMinutes: 15, lockMinutes: 15, maxLockMinutes: 24 * 60 }),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .default({ level: 'info' }),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
