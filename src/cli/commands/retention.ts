import { transaction } from '../../store/db.js';
import { getDomain } from '../../identity/domains.js';
import { appendAudit } from '../../audit/audit-log.js';
import { applyRetention, domainRetention, setDomainRetention } from '../../mail/retention.js';
import { publishMailboxChange } from '../../mail/notify.js';
import { archiveDepartedAccounts } from '../../mail/archive/sweep.js';
import { cliActor, CliUsageError } from '../io.js';
import type { CliCommand } from './command.js';

/** "30" → 30, "default" → null (the configured value) */
function days(raw: unknown, name: string): number | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'default') return null;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || !Number.isInteger(n)) throw new CliUsageError(`--${name} takes a number of days (0 keeps messages) or "default", not "${String(raw)}"`);
  return n;
}

export const retentionSet: CliCommand = {
  options: { 'trash-days': { type: 'string' }, 'junk-days': { type: 'string' }, 'disabled-account-days': { type: 'string' } },
  needs: 'db',
  async run(rt, [name], values) {
    if (!name) throw new CliUsageError('which domain? hopthu retention set DOMAIN --trash-days N');
    const domain = await getDomain(rt.db, name);
    const before = await domainRetention(rt.db, domain.id);
    const trash = days(values['trash-days'], 'trash-days');
    const junk = days(values['junk-days'], 'junk-days');
    const disabled = days(values['disabled-account-days'], 'disabled-account-days');
    const after = {
      trashDays: trash === undefined ? before.trashDays : trash,
      junkDays: junk === undefined ? before.junkDays : junk,
      disabledAccountDays: disabled === undefined ? before.disabledAccountDays : disabled,
    };
    await transaction(rt.db, async (client) => {
      await setDomainRetention(client, domain.id, after);
      await appendAudit(client, { actor: cliActor(), action: 'domain.retention', target: domain.name, source: 'cli', data: { before, after } });
    });
    const show = (v: number | null, fallback: number) => (v === null ? `${fallback} (default)` : v === 0 ? 'kept' : String(v));
    const archived = after.disabledAccountDays ?? rt.config.retention.disabledAccountDays;
    console.log(
      `${domain.name}: Trash ${show(after.trashDays, rt.config.retention.trashDays)} days, Junk ${show(after.junkDays, rt.config.retention.junkDays)} days, ` +
        `disabled accounts ${archived === 0 ? 'never archived' : `archived after ${archived} days`}${after.disabledAccountDays === null ? ' (default)' : ''}`,
    );
  },
};

export const retentionRun: CliCommand = {
  needs: 'db+redis',
  async run(rt) {
    const run = await applyRetention(rt.db, rt.config.retention);
    // open IMAP sessions see the removals
    const redis = rt.connectRedis();
    for (const change of run.changes) await publishMailboxChange(redis, rt.config.redisPrefix, change).catch(() => {});
    console.log(`removed ${run.messages} messages from ${run.mailboxes} folders`);
    const sweep = await archiveDepartedAccounts({ db: rt.db, blobs: rt.blobs, dataDir: rt.config.dataDir }, rt.config.retention.disabledAccountDays);
    for (const change of sweep.changes) await publishMailboxChange(redis, rt.config.redisPrefix, change).catch(() => {});
    for (const a of sweep.archived) {
      console.log(`archived ${a.address}: ${a.archive.messages} messages to ${a.archive.path}${a.holds.length ? ' (removal waits for a legal hold)' : ''}`);
    }
    for (const h of sweep.held) console.log(`kept ${h.address}: under legal hold ${h.holds.map((x) => x.id).join(', ')}`);
    for (const f of sweep.failed) console.error(`could not archive ${f.address}: ${f.error}`);
    console.log(`archived ${sweep.archived.length} disabled accounts`);
    return sweep.failed.length ? 1 : 0;
  },
};
