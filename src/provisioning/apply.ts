import type { Db } from '../store/db.js';
import { transaction } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { appendAuditMany } from '../audit/append-many.js';
import { listAgencies } from '../identity/agencies.js';
import { listDomains } from '../identity/domains.js';
import { handlers, type Context, type Seq } from './apply-handlers.js';
import type { Plan, PlanItem, PlanOp } from './plan-types.js';
import { doneItems, markDone, setRunStatus } from './runs.js';

export interface ApplyOptions {
  runId: number;
  /** who applies: 'cli:<user>', an API token's owner */
  actor: string;
  source?: string;
  /** plan items per transaction */
  batchSize: number;
  quotaBytes: number;
  /** days a new account's activation code is valid */
  activationDays: number;
  allowMassDisable: boolean;
  /** after each committed batch */
  onProgress?: (done: number, total: number) => void | Promise<void>;
}

export interface ApplySummary {
  runId: number;
  /** items carried out by this call (a resumed run counts only the rest) */
  applied: number;
  /** items found done by an earlier, interrupted call */
  alreadyDone: number;
  /** items that changed nothing because hopthu already was as planned */
  unchanged: number;
  counts: Partial<Record<PlanOp, number>>;
}

/** Consecutive items of one operation, at most `size` each. */
function batches(items: readonly PlanItem[], size: number): Array<Seq[]> {
  const out: Array<Seq[]> = [];
  let current: Seq[] = [];
  items.forEach((item, seq) => {
    if (current.length && (current.length >= size || current[0]!.item.op !== item.op)) {
      out.push(current);
      current = [];
    }
    current.push({ seq, item });
  });
  if (current.length) out.push(current);
  return out;
}

/**
 * Carries out a plan, batch by batch: each batch's changes, their audit events (tied to
 * the run) and the record that its items are done commit in one transaction. Applying
 * again skips the items recorded done, so a crashed run resumes where it stopped and a
 * finished one changes nothing; each item also checks hopthu's state before changing it.
 */
export async function applyPlan(db: Db, plan: Plan, opts: ApplyOptions): Promise<ApplySummary> {
  if (plan.version !== 1 || !Array.isArray(plan.items)) throw new UserError('bad-plan', 'this is not a provisioning plan made by this version of hopthu');
  if (plan.disable.exceeded && !opts.allowMassDisable) {
    const refusal = new UserError(
      'mass-disable',
      `the plan disables ${plan.disable.count} of ${plan.disable.ofActive} provisioned accounts (${(plan.disable.share * 100).toFixed(1)}%, more than provisioning.maxDisableShare = ${(plan.disable.maxShare * 100).toFixed(1)}%); ` +
        'check the source, then apply with --allow-mass-disable if it is right',
    );
    await setRunStatus(db, opts.runId, 'failed', { error: refusal.message });
    throw refusal;
  }
  await setRunStatus(db, opts.runId, 'running');
  const done = await doneItems(db, opts.runId);
  const summary: ApplySummary = { runId: opts.runId, applied: 0, alreadyDone: done.size, unchanged: 0, counts: {} };
  const domainIds = new Map((await listDomains(db)).map((d) => [d.name, d.id]));
  const agencyIds = new Map((await listAgencies(db)).map((a) => [a.code.toUpperCase(), a.id]));
  try {
    for (const batch of batches(plan.items, opts.batchSize)) {
      const todo = batch.filter((b) => !done.has(b.seq));
      if (!todo.length) continue;
      const op = todo[0]!.item.op;
      await transaction(db, async (client) => {
        const ctx: Context = { client, opts, plan, domainIds, agencyIds, events: [], unchanged: 0 };
        await (handlers[op] as (c: Context, i: Seq[]) => Promise<void>)(ctx, todo);
        await appendAuditMany(client, ctx.events);
        await markDone(client, opts.runId, todo.map((t) => t.seq));
        summary.unchanged += ctx.unchanged;
      });
      for (const t of todo) done.add(t.seq);
      summary.applied += todo.length;
      summary.counts[op] = (summary.counts[op] ?? 0) + todo.length;
      await opts.onProgress?.(done.size, plan.items.length);
    }
    await setRunStatus(db, opts.runId, 'done', { summary: { ...summary } });
    return summary;
  } catch (err) {
    await setRunStatus(db, opts.runId, 'failed', { error: (err as Error).message }).catch(() => {});
    throw err;
  }
}
