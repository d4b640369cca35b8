import type { Config } from '../../../src/config/index.js';
import type { Db } from '../../../src/store/db.js';
import { applyPlan, type ApplySummary } from '../../../src/provisioning/apply.js';
import type { Plan } from '../../../src/provisioning/plan-types.js';
import { runForPlan } from '../../../src/provisioning/runs.js';
import { planFromSnapshot, readSource, type SourceKind } from '../../../src/provisioning/service.js';

/** Reads the source, plans, and applies the plan as the CLI's job would. */
export async function plan(db: Db, config: Readonly<Config>, kind: SourceKind = 'ldap', file?: string): Promise<Plan> {
  return planFromSnapshot(db, config, await readSource(config, kind, file));
}

export async function apply(db: Db, config: Readonly<Config>, p: Plan, options: { allowMassDisable?: boolean; onProgress?: (done: number, total: number) => void } = {}): Promise<ApplySummary & { runId: number }> {
  const run = await runForPlan(db, p, 'test');
  return applyPlan(db, p, {
    runId: run.id,
    actor: 'test',
    batchSize: config.provisioning.batchSize,
    quotaBytes: config.accounts.defaultQuotaBytes,
    activationDays: config.activation.codeDays,
    allowMassDisable: options.allowMassDisable ?? false,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

export interface AccountView {
  id: number;
  address: string;
  display_name: string;
  title: string;
  status: string;
  kind: string;
  external_id: string | null;
  agency_external_id: string | null;
  agency_code: string | null;
}

export async function accounts(db: Db, kind = 'person'): Promise<AccountView[]> {
  const { rows } = await db.query<AccountView>(
    `SELECT a.id, a.address, a.display_name, a.title, a.status, a.kind, a.external_id, g.external_id AS agency_external_id, g.code AS agency_code
       FROM accounts a LEFT JOIN agencies g ON g.id = a.agency_id WHERE a.kind = $1 ORDER BY a.id`,
    [kind],
  );
  return rows;
}
