import type { Config } from '../config/index.js';
import type { Db } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import { pruneAudit } from './prune.js';
import { startSyslogForwarder, type SyslogForwarder } from './syslog-forwarder.js';

const DAY_MS = 86_400_000;
/** the first prune after start-up waits this long, so a restart loop does not prune in a loop */
const FIRST_PRUNE_DELAY_MS = 60_000;

/**
 * The worker's audit duties, each only when configured: forwarding to syslog
 * (audit.syslog) and the daily prune (audit.retentionDays > 0).
 */
export function startAuditJobs(opts: { db: Db; log: Logger; audit: Readonly<Config['audit']>; hostname: string }): { stop(): Promise<void> } {
  const { db, log, audit } = opts;
  let forwarder: SyslogForwarder | undefined;
  if (audit.syslog) {
    const { host, tls, caFile } = audit.syslog;
    forwarder = startSyslogForwarder({ db, log, hostname: opts.hostname, target: { host, tls, caFile, port: audit.syslog.port ?? (tls ? 6514 : 514) } });
  }
  const timers: NodeJS.Timeout[] = [];
  if (audit.retentionDays > 0) {
    const prune = () => {
      pruneAudit(db, { retentionDays: audit.retentionDays, actor: 'system' }).then(
        (r) => r.events && log.info({ events: r.events, periods: r.periods.map((p) => p.month) }, 'audit log pruned'),
        (err: Error) => log.warn({ err: err.message }, 'audit log prune failed'),
      );
    };
    timers.push(setTimeout(prune, FIRST_PRUNE_DELAY_MS), setInterval(prune, DAY_MS));
    for (const t of timers) t.unref();
  }
  return {
    async stop() {
      for (const t of timers) clearTimeout(t);
      await forwarder?.stop();
    },
  };
}
