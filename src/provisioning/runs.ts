import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import type { Plan } from './plan-types.js';

export type RunStatus = 'pending' | 'running' | 'done' | 'failed';

/** One application of one plan; the API shows `percent` while it runs. */
export interface Run {
  id: number;
  planId: string;
  source: string;
  actor: string;
  status: RunStatus;
  totalItems: number;
  doneItems: number;
  percent: number;
  summary: Record<string, unknown>;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

interface RunRow {
  id: number;
  plan_id: string;
  source: string;
  actor: string;
  status: RunStatus;
  total_items: number;
  done_items: number;
  summary: Record<string, unknown>;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const COLUMNS = 'id, plan_id, source, actor, status, total_items, done_items, summary, error, created_at, started_at, finished_at';

const toRun = (r: RunRow): Run => ({
  id: r.id,
  planId: r.plan_id,
  source: r.source,
  actor: r.actor,
  status: r.status,
  totalItems: r.total_items,
  doneItems: r.done_items,
  percent: r.total_items ? Math.floor((100 * r.done_items) / r.total_items) : 100,
  summary: r.summary,
  error: r.error,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

/** The run of this plan: made on first use, the same one when the plan is applied again. */
export async function runForPlan(db: Queryable, plan: Plan, actor: string): Promise<Run> {
  const inserted = await db.query<RunRow>(
    `INSERT INTO provisioning_runs (plan_id, source, actor, total_items, plan) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (plan_id) DO NOTHING RETURNING ${COLUMNS}`,
    [plan.id, `${plan.source.kind}: ${plan.source.description}`, actor, plan.items.length, JSON.stringify(plan)],
  );
  if (inserted.rows[0]) return toRun(inserted.rows[0]);
  const { rows } = await db.query<RunRow>(`SELECT ${COLUMNS} FROM provisioning_runs WHERE plan_id = $1`, [plan.id]);
  return toRun(rows[0]!);
}

export async function getRun(db: Queryable, runId: number): Promise<Run> {
  const { rows } = await db.query<RunRow>(`SELECT ${COLUMNS} FROM provisioning_runs WHERE id = $1`, [runId]);
  if (!rows[0]) throw new UserError('no-such-run', `there is no provisioning run ${runId}`);
  return toRun(rows[0]);
}

/** The plan a run carries out, as it was stored when the run began. */
export async function planOfRun(db: Queryable, runId: number): Promise<Plan> {
  const { rows } = await db.query<{ plan: Plan }>('SELECT plan FROM provisioning_runs WHERE id = $1', [runId]);
  if (!rows[0]) throw new UserError('no-such-run', `there is no provisioning run ${runId}`);
  return rows[0].plan;
}

export async function listRuns(db: Queryable, limit = 50): Promise<Run[]> {
  const { rows } = await db.query<RunRow>(`SELECT ${COLUMNS} FROM provisioning_runs ORDER BY id DESC LIMIT $1`, [limit]);
  return rows.map(toRun);
}

/** The plan items of a run already carried out (each recorded with its change). */
export async function doneItems(db: Queryable, runId: number): Promise<Set<number>> {
  const { rows } = await db.query<{ seq: number }>('SELECT seq FROM provisioning_run_items WHERE run_id = $1', [runId]);
  return new Set(rows.map((r) => r.seq));
}

/** Records items as done and moves the run's progress; call it in the transaction that made their changes. */
export async function markDone(db: Queryable, runId: number, seqs: readonly number[]): Promise<void> {
  if (!seqs.length) return;
  await db.query('INSERT INTO provisioning_run_items (run_id, seq) SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING', [runId, seqs]);
  await db.query('UPDATE provisioning_runs SET done_items = (SELECT count(*) FROM provisioning_run_items WHERE run_id = $1) WHERE id = $1', [runId]);
}

export async function setRunStatus(db: Queryable, runId: number, status: RunStatus, extra: { summary?: Record<string, unknown>; error?: string } = {}): Promise<void> {
  await db.query(
    `UPDATE provisioning_runs SET status = $2,
       started_at = CASE WHEN $2 = 'running' THEN coalesce(started_at, now()) ELSE started_at END,
       finished_at = CASE WHEN $2 IN ('done', 'failed') THEN now() END,
       summary = coalesce($3::jsonb, summary), error = $4
     WHERE id = $1`,
    [runId, status, extra.summary ? JSON.stringify(extra.summary) : null, extra.error ?? null],
  );
}
