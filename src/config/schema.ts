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

/** provisioning.ldap: where the province's directory is and how to read it */
const ldapSearch = z.strictObject({
  /** where to search, e.g. ou=people,dc=tinh,dc=gov,dc=vn */
  baseDn: z.string().min(1),
  /** RFC 4515 filter; the preset's when absent */
  filter: z.string().min(1).optional(),
});
const ldapSource = z.strictObject({
  /** ldap://host:389 (add startTls) or ldaps://host:636 */
  url: z.string().regex(/^ldaps?:\/\/[^/]+\/?$/, 'an ldap:// or ldaps:// URL without a path'),
  /** RFC 4511 §4.2 simple bind; anonymous when absent */
  bindDn: z.string().optional(),
  bindPassword: z.string().optional(),
  /** RFC 4511 §4.14: upgrade an ldap:// connection with StartTLS before binding */
  startTls: z.boolean().default(false),
  /** PEM file of the CA that signed the directory's certificate; the system's CAs otherwise */
  caFile: z.string().optional(),
  /** verify the directory's certificate */
  tlsVerify: z.boolean().default(true),
  /** attribute names and default filters: OpenLDAP (inetOrgPerson, organizationalUnit, groupOfNames) or Active Directory */
  preset: z.enum(['openldap', 'activeDirectory']).default('openldap'),
  /** attribute names that differ from the preset's (keys: id, fullName, surname, givenName, mail, title, agencyName, agencyCode, groupName, groupMail, member) */
  attributes: z.partialRecord(z.enum(['id', 'fullName', 'surname', 'givenName', 'mail', 'title', 'agencyName', 'agencyCode', 'groupName', 'groupMail', 'member']), z.string().min(1)).default({}),
  people: ldapSearch,
  /** organizational units that become agencies; without it people are placed in no agency */
  agencies: ldapSearch.optional(),
  /** groups whose members are mirrored into distribution groups */
  groups: ldapSearch.optional(),
  /** RFC 2696 page size; below the server's size limit */
  pageSize: z.number().int().min(1).max(10_000).default(500),
  timeoutMs: z.number().int().min(100).default(30_000),
});

/** provisioning.spreadsheet: header texts of the HR sheet's columns (matched ignoring case and surrounding spaces) */
const spreadsheetColumns = z.strictObject({
  /** the person's stable id in HR's records (staff number) */
  id: z.string().min(1).default('Mã cán bộ'),
  fullName: z.string().min(1).default('Họ và tên'),
  mail: z.string().min(1).default('Email'),
  title: z.string().min(1).default('Chức vụ'),
  agencyCode: z.string().min(1).default('Mã đơn vị'),
  agencyName: z.string().min(1).default('Tên đơn vị'),
  parentAgencyCode: z.string().min(1).default('Mã đơn vị cấp trên'),
});

const provisioning = z.strictObject({
  /** the domain new accounts and agency mailboxes are made in; required to plan */
  domain: z.string().min(1).optional(),
  /** a run that would disable more than this share of the provisioned accounts stops unless --allow-mass-disable */
  maxDisableShare: z.number().min(0).max(1).default(0.05),
  addresses: z
    .strictObject({
      /** local part of a person: {given} {surname} {middle} {initials} (of surname and middle names) {agency}; default "annv" for Nguyễn Văn An */
      template: z.string().min(1).default('{given}{initials}'),
      /** local part of an agency mailbox: {code} (the agency code, lower-cased) */
      agencyTemplate: z.string().min(1).default('{code}'),
      /** local part of an agency's staff distribution group ('agency-staff'): {code} */
      staffGroupTemplate: z.string().min(1).default('{code}.all'),
      /** tried in order when the address is taken; {n} counts up from 2, {agency} is the agency code */
      collisionSuffixes: z.array(z.string().min(1)).min(1).default(['{n}']),
      /** local parts never given out, besides postmaster, abuse, admin, root, hostmaster, webmaster, noreply and the like */
      reserved: z.array(z.string().min(1)).default([]),
      /** days an address freed by a departed account stays out of use */
      reuseAfterDays: z.number().int().min(0).default(365),
    })
    .prefault({}),
  ldap: ldapSource.optional(),
  spreadsheet: z
    .strictObject({
      columns: spreadsheetColumns.prefault({}),
      /** the XLSX worksheet to read; the first when absent */
      sheet: z.string().min(1).optional(),
    })
    .prefault({}),
  /** plan items carried out per transaction */
  batchSize: z.number().int().min(1).max(10_000).default(1000),
  /** a sync the worker role runs on its own: plan, then apply unless the plan trips maxDisableShare */
  schedule: z
    .strictObject({
      /** minutes between syncs */
      intervalMinutes: z.number().positive(),
      /** the directory (provisioning.ldap), or an HR file read from `file` each time */
      source: z.enum(['ldap', 'csv', 'xlsx']).default('ldap'),
      file: z.string().min(1).optional(),
      /** administrators mailed the summary of each sync that changed something, found bad rows or was stopped */
      notify: z.array(z.string().min(3)).default([]),
    })
    .optional(),
});

/** blobs.s3: an S3-compatible bucket (MinIO, Ceph RGW, AWS S3) holding the message bodies */
const s3Blobs = z.strictObject({
  /** the service's base URL, e.g. https://minio.tinh.gov.vn:9000 (no path) */
  endpoint: z.string().regex(/^https?:\/\/[^/?#\s]+\/?$/, 'an http:// or https:// URL without a path'),
  /** the signing region (AWS SigV4); MinIO and Ceph accept the default */
  region: z.string().regex(/^[a-z0-9-]+$/, 'a region name such as us-east-1').default('us-east-1'),
  /** S3 bucket naming rules: 3-63 characters, lower-case letters, digits, dots and hyphens, a letter or digit at each end */
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'a bucket name: 3-63 lower-case letters, digits, dots and hyphens'),
  /** put before every key, e.g. "hopthu/"; empty for the bucket's top level */
  prefix: z.string().regex(/^(|[^/\s][^\s]*\/)$/, 'empty, or a path ending in "/" such as "hopthu/"').default(''),
  accessKeyId: z.string().min(1),
  /** better given in the environment: HOPTHU_BLOBS__S3__SECRET_ACCESS_KEY */
  secretAccessKey: z.string().min(1),
  /** https://endpoint/bucket/key (MinIO, Ceph) rather than https://bucket.endpoint/key (AWS) */
  forcePathStyle: z.boolean().default(true),
});

/** where message bodies are kept (src/store/open-blob-store.ts) */
const blobs = z
  .strictObject({
    /** 'file': dataDir/blobs; 's3': the bucket in blobs.s3 */
    store: z.enum(['file', 's3']).default('file'),
    s3: s3Blobs.optional(),
    /** blobs of at most this many bytes live in PostgreSQL (store/inline-blob-store.ts); 0: every blob in the store above */
    inlineMaxBytes: z.number().int().min(0).max(1024 * 1024).default(128 * 1024),
    /** memory for message bodies of up to 256 KiB just written or read (store/recent-blobs.ts): a second device's FETCH needs no read; 0 turns it off */
    cacheMegabytes: z.number().min(0).max(4096).default(64),
  })
  .prefault({})
  .superRefine((b, ctx) => {
    if (b.store === 's3' && !b.s3) ctx.addIssue({ code: 'custom', path: ['s3'], message: 'blobs.store is "s3": set blobs.s3.endpoint, bucket, accessKeyId and secretAccessKey' });
  });

/**
 * redisSentinel.sentinels: "host:port" (26379 when the port is left out; IPv6 as [addr]:port).
 * A comma-separated string is read as a list, so HOPTHU_REDIS_SENTINEL__SENTINELS=a:26379,b:26379 works.
 */
const sentinelAddress = z.string().transform((text, ctx) => {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+))(?::(\d{1,5}))?$/.exec(text.trim());
  const port = m?.[3] === undefined ? 26379 : Number(m[3]);
  if (!m || port < 1 || port > 65535) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a Sentinel address: write host:port (port 1-65535), e.g. 10.0.0.5:26379` });
    return z.NEVER;
  }
  return { host: (m[1] ?? m[2])!, port };
});
const redisSentinel = z.strictObject({
  /** the Sentinels to ask for the current master; one is enough to start, three or more for a real quorum */
  sentinels: z.preprocess(
    (value) => (typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value),
    z.array(sentinelAddress).min(1, 'name at least one Sentinel (host:port)'),
  ),
  /** the master's name in the Sentinels' "sentinel monitor NAME ..." line */
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'the master name from "sentinel monitor NAME ..." (letters, digits, . _ -)'),
  /** AUTH of the Redis servers (requirepass / ACL user) */
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  /** AUTH of the Sentinels themselves, when they have requirepass set */
  sentinelPassword: z.string().min(1).optional(),
  /** the database number on the master (SELECT) */
  db: z.number().int().min(0).default(0),
});

export const configSchema = z.strictObject({
  /** where embedded PostgreSQL, Redis, blobs and TLS material live */
  dataDir: z.string().min(1).default('./data'),
  /** the name this server gives in SMTP greetings, Received headers and DSNs */
  hostname: z.string().min(1).default('localhost'),
  /** external PostgreSQL; when absent an embedded cluster starts under dataDir/postgres */
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'a postgresql:// URL').optional(),
  /**
   * extra server settings of the embedded cluster (\`postgres -c NAME=VALUE\`), e.g. shared_buffers for a large
   * province, or shared_preload_libraries=pg_stat_statements to see what each statement costs (npm run bench does)
   */
  embeddedPostgresSettings: z.record(z.string().regex(/^[a-z_][a-z0-9_.]*$/, 'a PostgreSQL setting name'), z.string()).default({}),
  /** external Redis; when absent redis-server starts as a child under dataDir/redis */
  redisUrl: z.string().regex(/^(redis|rediss|redis\+unix|unix):\/\//, 'a redis://, rediss:// or redis+unix:// URL').optional(),
  /** Redis behind Sentinel: the Sentinels tell every connection which server is the master now (instead of redisUrl) */
  redisSentinel: redisSentinel.optional(),
  /** prefix of every Redis key (queues, pub/sub, counters) */
  redisPrefix: z.string().min(1).default('hopthu'),
  /** on SIGTERM, the longest a process takes to stop before it exits anyway (its unfinished jobs go to other workers) */
  shutdownSeconds: z.number().int().min(1).max(600).default(30),
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
      /** every process: /healthz, /readyz, /metrics (keep it to the monitoring network) */
      health: port.default(9465),
    })
    .default({ smtp: 2525, submission: 2587, submissions: 2465, imap: 2143, imaps: 2993, http: 8080, health: 9465 }),
  /** message bodies: files under dataDir/blobs, or an S3-compatible bucket */
  blobs,
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
      /** logged-in IMAP sessions one account may hold in one process; one more gets NO [LIMIT] at login */
      maxConnectionsPerUser: z.number().int().min(1).default(20),
      /** RFC 9051 §5.4: the autologout timer is at least 30 minutes */
      idleTimeoutMinutes: z.number().min(30).default(30),
      /** how SORT and THREAD compare text: Vietnamese collation, or RFC 5051 i;unicode-casemap (Dovecot's order) */
      sortCollation: z.enum(['vietnamese', 'unicode-casemap']).default('vietnamese'),
      /** memory for the facts of messages FETCH answers from without the store (imap/message-facts.ts): size, date, blob, ENVELOPE; 0 turns it off */
      messageCacheMegabytes: z.number().min(0).max(4096).default(32),
    })
    .default({ allowPlaintextLoginOnLoopback: true, maxConnectionsPerIp: 50, maxConnectionsPerUser: 20, idleTimeoutMinutes: 30, sortCollation: 'vietnamese', messageCacheMegabytes: 32 }),
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
      /** jobs one worker process runs at once; the local deliveries among them share transactions (delivery/local-delivery.ts) */
      concurrency: z.number().int().min(1).max(200).default(64),
      /** seconds between reconciler sweeps that re-enqueue spool rows no job holds */
      reconcileSeconds: z.number().int().min(1).default(30),
      /** a job held by a worker that died goes to another worker after about this long */
      jobLockSeconds: z.number().int().min(2).max(600).default(60),
      /** a due row is orphaned only when no job has held it this long (longer than a job's lock) */
      reconcileGraceSeconds: z.number().int().min(1).default(90),
    })
    .default({
      mxPort: 25,
      retryMinutes: [1, 5, 15, 30, 60, 120, 240],
      maxQueueHours: 120,
      concurrency: 64,
      reconcileSeconds: 30,
      jobLockSeconds: 60,
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
      /**
       * a disabled account is archived (mail to a file under dataDir/archive, out of the live
       * store) this many days after it was disabled; 0, the default, never archives: taking
       * mail out of IMAP and webmail reach is the records office's decision, and a non-zero
       * default would archive every long-disabled account at the first sweep after an upgrade
       */
      disabledAccountDays: z.number().int().min(0).default(0),
      /** how often the worker applies it */
      intervalMinutes: z.number().int().min(1).default(60),
    })
    .default({ trashDays: 30, junkDays: 30, disabledAccountDays: 0, intervalMinutes: 60 }),
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
  /** what a new password must satisfy (src/identity/password-policy.ts), and how long one lasts */
  passwordPolicy: z
    .strictObject({
      /** characters (Unicode code points after NFC) */
      minLength: z.number().int().min(8).max(128).default(12),
      /** the new password may not be the current one or one of the previous; counts the current (0: no check) */
      historyCount: z.number().int().min(0).max(24).default(5),
      /** days a password lasts; then IMAP/SMTP refuse it and the webmail asks for a new one (0: never expires) */
      maxAgeDays: z.number().int().min(0).default(0),
      /** words refused besides the bundled list (matched like it: case, diacritics, leet and digit suffixes ignored) */
      bannedExtra: z.array(z.string().min(3)).default([]),
    })
    .prefault({}),
  /** one-time activation codes with which a person sets their first password */
  activation: z
    .strictObject({
      /** days a code stays valid */
      codeDays: z.number().positive().max(365).default(14),
    })
    .prefault({}),
  /** bulk provisioning from the LDAP directory and HR spreadsheets */
  provisioning: provisioning.prefault({}),
  /** the admin REST API under /api/v1 (the web role) */
  api: z
    .strictObject({
      /** largest request body accepted; larger ones get 413 */
      bodyLimitBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
      /** requests one token may make per minute; more get 429 */
      rateLimitPerMinute: z.number().int().min(1).default(600),
    })
    .prefault({}),
  /** the HTTP listener (admin API, webmail) */
  /** RFC 8461: the MTA-STS policy served at https://mta-sts.DOMAIN/.well-known/mta-sts.txt (and its DNS record in hopthu dns) */
  mtaSts: z
    .strictObject({
      /** 'testing' reports failures without refusing; 'enforce' once TLS-RPT reports are clean */
      mode: z.enum(['none', 'testing', 'enforce']).default('testing'),
      maxAgeDays: z.number().int().min(1).max(365).default(7),
    })
    .prefault({}),
  web: z
    .strictObject({
      /** reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges); empty: none */
      trustedProxies: z.array(z.string().min(1)).default([]),
      /** minutes without a request after which a webmail or console session ends */
      sessionIdleMinutes: z.number().int().min(5).max(24 * 60).default(120),
      /** hours after login after which a session ends however active it is */
      sessionMaxHours: z.number().int().min(1).max(24 * 30).default(12),
      /** the time zone dates are shown in (IANA name) */
      timeZone: z.string().min(1).refine((zone) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      }, 'an IANA time zone such as Asia/Ho_Chi_Minh').default('Asia/Ho_Chi_Minh'),
    })
    .prefault({}),
  audit: z
    .strictObject({
      /** days events are kept at least; whole calendar months older are pruned (daily by the worker, or hopthu audit prune); 0 keeps everything */
      retentionDays: z.number().int().min(0).default(0),
      /** forward every event to the province's SIEM: RFC 5424 over TCP or TLS (RFC 6587 octet counting) */
      syslog: z
        .strictObject({
          host: z.string().min(1),
          /** default 6514 with TLS (RFC 5425), 514 without */
          port: port.min(1).optional(),
          tls: z.boolean().default(false),
          /** PEM file of the CA that signed the receiver's certificate; the system's CAs otherwise */
          caFile: z.string().min(1).optional(),
        })
        .optional(),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .default({ level: 'info' }),
}).superRefine((config, ctx) => {
  if (config.redisUrl && config.redisSentinel) {
    ctx.addIssue({ code: 'custom', path: ['redisSentinel'], message: 'give either redisUrl (one Redis) or redisSentinel (Redis behind Sentinel), not both' });
  }
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
