import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Worker } from 'bullmq';
import type { Config } from '../config/index.js';
import type { Logger } from '../shared/logger.js';
import { loadTlsMaterial } from '../store/tls.js';
import { collectGarbage } from '../store/blob-refs.js';
import { DeliveryQueue } from '../delivery/queue.js';
import type { DeliveryContext } from '../delivery/context.js';
import { startDeliveryWorker } from '../delivery/worker.js';
import { startSearchIndexer } from '../mail/search-indexer.js';
import { redisSettingWarnings } from '../store/redis-settings.js';
import { startHealth } from './health.js';
import { startRetentionSweep } from './retention-sweep.js';
import { startReconciler } from '../delivery/reconciler.js';
import { startAuditJobs } from '../audit/jobs.js';
import { listenSmtp, type SmtpListener } from '../smtp/server.js';
import { ConnectionCounter } from '../shared/connection-counter.js';
import { openRuntime, type Runtime } from './runtime.js';
import { startImap } from '../imap/start.js';
import { startWeb } from './web.js';
import { runStopSteps, type StopStep } from './stop-steps.js';

export const ROLES = ['smtp', 'imap', 'worker', 'web'] as const;
export type Role = (typeof ROLES)[number];

export interface RunningServer {
  runtime: Runtime;
  context: DeliveryContext;
  /** bound ports by listener: mx, submission, submissions, imap, imaps, http */
  ports: Record<string, number>;
  stop(): Promise<void>;
}

export function parseRoles(value: string | undefined): Role[] {
  if (!value) return [...ROLES];
  const roles = value.split(',').map((r) => r.trim()).filter(Boolean);
  for (const r of roles) {
    if (!(ROLES as readonly string[]).includes(r)) {
      throw new Error(`unknown role "${r}"; the roles this build runs are: ${ROLES.join(', ')}`);
    }
  }
  return roles as Role[];
}

/** Starts the chosen roles in this process. */
export async function startServer(config: Readonly<Config>, log: Logger, roles: Role[] = [...ROLES]): Promise<RunningServer> {
  const runtime = await openRuntime(config, log, { owner: true, redis: true });
  const stops: StopStep[] = [];
  // listeners first (no new work), then workers finish their jobs, then the stores;
  // within shutdownSeconds, as the CLI waits no longer
  const stopAll = () => runStopSteps([...stops, { what: 'the stores', stop: () => runtime.close() }], Date.now() + config.shutdownSeconds * 1000, log);
  try {
    // the per-message counters and the mailbox notifications: what many sessions send in one
    // turn of the event loop leaves in one write (ioredis auto-pipelining), not one system call each
    const redis = runtime.connectRedis({ enableAutoPipelining: true });
    // an external Redis is the operator's; the embedded one is configured right by us. Behind
    // Sentinel this connection is the master's, so the master's settings are the ones checked
    if (config.redisUrl || config.redisSentinel) for (const warning of await redisSettingWarnings(redis)) log.warn(warning);
    // the queue on a connection of its own: BullMQ loads its scripts (some 64) onto the connection it
    // is given, and ioredis copies every script of a connection onto each MULTI and pipeline made on it
    // (8 KB each instead of 3): the per-message counters and notifications use `redis`
    const queue = new DeliveryQueue(runtime.connectRedis(), config.redisPrefix);
    // search text is made behind delivery, when deliveries have been quiet for a moment
    let lastDelivery = 0;
    const context: DeliveryContext = {
      config, db: runtime.db, redis, blobs: runtime.blobs, queue, resolver: runtime.resolver, log,
      deliverAtAcceptance: roles.includes('worker'),
      onDelivered: () => (lastDelivery = Date.now()),
    };
    const ports: Record<string, number> = {};

    if (roles.includes('smtp')) {
      const tls = await loadTlsMaterial({ ...config.tls, dataDir: config.dataDir, hostname: config.hostname });
      if (tls.selfSigned) log.warn('using a self-signed TLS certificate; set tls.certFile and tls.keyFile for production');
      const tmpDir = path.join(config.dataDir, 'tmp');
      mkdirSync(tmpDir, { recursive: true });
      const smtpCtx = {
        ...context, tls, tmpDir, connections: new ConnectionCounter(config.smtp.maxConnectionsPerIp),
        authSettings: { ...config, directoryPasswords: runtime.directoryPasswords },
      };
      const listeners: SmtpListener[] = [
        await listenSmtp(smtpCtx, 'mx', config.ports.smtp, config.listenHost),
        await listenSmtp(smtpCtx, 'submission', config.ports.submission, config.listenHost),
        await listenSmtp(smtpCtx, 'submissions', config.ports.submissions, config.listenHost),
      ];
      for (const l of listeners) {
        ports[l.role] = l.port;
        stops.push({ what: `the ${l.role} listener`, stop: () => l.close() });
      }
    }

    if (roles.includes('imap')) {
      const imap = await startImap(runtime, redis);
      ports.imap = imap.ports.imap;
      ports.imaps = imap.ports.imaps;
      stops.push({ what: 'the IMAP listeners', stop: () => imap.close() });
    }

    if (roles.includes('web')) {
      const web = await startWeb({ ...context, directoryPasswords: runtime.directoryPasswords });
      ports.http = web.port;
      stops.push({ what: 'the web server', stop: () => web.close() });
    }

    if (roles.includes('worker')) {
      const worker: Worker = startDeliveryWorker(context, runtime.connectRedis());
      stops.push({ what: 'the delivery worker', stop: () => worker.close() });
      worker.on('active', () => (lastDelivery = Date.now()));
      worker.on('completed', () => (lastDelivery = Date.now()));
      const indexer = startSearchIndexer({ db: runtime.db, blobs: runtime.blobs, log, busy: () => Date.now() - lastDelivery < 2000 });
      stops.push({ what: 'the search indexer', stop: () => indexer.stop() });
      const reconciler = startReconciler(context);
      stops.push({ what: 'the reconciler', stop: async () => reconciler.stop() });
      // provisioning: apply jobs and the scheduled directory sync
      stops.push({ what: 'the provisioning jobs', stop: await (await import('./provisioning-role.js')).startProvisioningRole(runtime, context) });
      if (config.audit.syslog || config.audit.retentionDays > 0) {
        const audit = startAuditJobs({ db: runtime.db, log, audit: config.audit, hostname: config.hostname });
        stops.push({ what: 'the audit jobs', stop: () => audit.stop() });
      }
      const retention = startRetentionSweep(
        { db: runtime.db, blobs: runtime.blobs, dataDir: config.dataDir, redis, redisPrefix: config.redisPrefix, log, retention: config.retention },
        config.retention.intervalMinutes * 60_000,
      );
      stops.push({ what: 'the retention sweep', stop: () => retention.stop() });
      const gc = setInterval(() => {
        collectGarbage(runtime.db, runtime.blobs).catch((err: Error) => log.warn({ err: err.message }, 'blob garbage collection failed'));
      }, 15 * 60_000);
      gc.unref();
      stops.push({ what: 'the blob garbage collection', stop: async () => clearInterval(gc) });
    }

    stops.push({ what: 'the delivery queue', stop: () => queue.close() });
    // every process answers /healthz, /readyz and /metrics, whatever its roles
    const health = await startHealth({ db: runtime.db, redis, log, roles }, config.ports.health, config.listenHost);
    ports.health = health.port;
    stops.unshift({ what: 'the health listener', stop: () => health.close() });
    log.info({ roles, ports, dataDir: config.dataDir }, 'hopthu started');
    let stopping: Promise<void> | undefined;
    return {
      runtime,
      context,
      ports,
      stop() {
        stopping ??= stopAll().then(() => log.info('hopthu stopped'));
        return stopping;
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
