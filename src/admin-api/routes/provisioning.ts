import { z } from 'zod';
import { applyJobId, enqueueApply, sharedProvisioningQueue } from '../../provisioning/job.js';
import { getRun, listRuns, planOfRun, runForPlan, type Run } from '../../provisioning/runs.js';
import { planWithinScopes, runsVisibleToActor } from '../../provisioning/scope.js';
import { planFromSnapshot, readSource } from '../../provisioning/service.js';
import { readSpreadsheetBytes } from '../../provisioning/spreadsheet-source.js';
import { ApiError } from '../errors.js';
import { defineRoute, type Principal } from '../route.js';
import { iso, isoOrNull, timestamp } from '../schemas.js';

const PROVISIONERS = ['superadmin', 'agency-admin'] as const;

const runItem = z.strictObject({
  id: z.number().int(),
  source: z.string(),
  actor: z.string().describe('who planned it'),
  status: z.enum(['pending', 'running', 'done', 'failed']).describe('pending: planned, not applied yet'),
  percent: z.number().int().min(0).max(100).describe('how much of the plan is applied'),
  total_items: z.number().int(),
  done_items: z.number().int(),
  error: z.string().nullable(),
  created_at: timestamp,
  started_at: timestamp.nullable(),
  finished_at: timestamp.nullable(),
});
const toItem = (r: Run) => ({
  id: r.id, source: r.source, actor: r.actor, status: r.status, percent: r.status === 'done' ? 100 : r.percent, total_items: r.totalItems, done_items: r.doneItems,
  error: r.error, created_at: iso(r.createdAt), started_at: isoOrNull(r.startedAt), finished_at: isoOrNull(r.finishedAt),
});
const planSummary = z.strictObject({
  counts: z.record(z.string(), z.number().int()).describe('changes by kind: account.create, account.disable, agency.create, …'),
  warnings: z.array(z.strictObject({ code: z.string(), message: z.string(), origin: z.string().optional() })),
  problems: z.array(z.strictObject({ origin: z.string(), reason: z.string() })).describe('rows the source could not give, and rows outside an HR officer’s agencies'),
  disable: z.strictObject({ count: z.number().int(), of_active: z.number().int(), exceeded: z.boolean().describe('more than provisioning.maxDisableShare: apply needs allow_mass_disable') }),
});
const idParam = z.strictObject({ id: z.coerce.number().int().positive().describe('the run’s number') });

/** The run if this principal may see it (a superadmin any, an HR officer the runs their token planned); 404 otherwise. */
async function visibleRun(db: Parameters<typeof getRun>[0], principal: Principal, id: number): Promise<Run> {
  const run = await getRun(db, id).catch(() => undefined);
  if (!run || !runsVisibleToActor([principal.scope], principal.actor, [run]).length) throw new ApiError(404, 'no-such-run', `there is no provisioning run ${id} you may see`);
  return run;
}

export const listRunsRoute = defineRoute({
  method: 'GET',
  path: '/provisioning/runs',
  operationId: 'listProvisioningRuns',
  summary: 'List provisioning runs, newest first (an HR officer sees the runs they planned)',
  tag: 'provisioning',
  roles: PROVISIONERS,
  response: z.strictObject({ items: z.array(runItem) }),
  async handler({ principal, deps }) {
    return { items: runsVisibleToActor([principal.scope], principal.actor, await listRuns(deps.db)).map(toItem) };
  },
});

export const createPlanRoute = defineRoute({
  method: 'POST',
  path: '/provisioning/plans',
  operationId: 'createProvisioningPlan',
  summary: 'Plan a sync from the directory or an HR spreadsheet (nothing changes until it is applied)',
  tag: 'provisioning',
  roles: PROVISIONERS,
  body: z.discriminatedUnion('source', [
    z.strictObject({ source: z.literal('ldap') }),
    z.strictObject({ source: z.literal('csv'), content: z.string().min(1).describe('the CSV text (UTF-8), with the configured columns') }),
    z.strictObject({ source: z.literal('xlsx'), content_base64: z.string().min(1).describe('the XLSX file, base64') }),
  ]),
  response: runItem.extend({ plan: planSummary }),
  status: 201,
  errors: [400],
  async handler({ body, principal, deps }) {
    const sheets = deps.config.provisioning.spreadsheet;
    const snapshot =
      body.source === 'ldap'
        ? await readSource(deps.config, 'ldap')
        : body.source === 'csv'
          ? await readSpreadsheetBytes(Buffer.from(body.content, 'utf8'), 'upload.csv', sheets)
          : await readSpreadsheetBytes(Buffer.from(body.content_base64, 'base64'), 'upload.xlsx', sheets);
    const plan = await planWithinScopes(deps.db, await planFromSnapshot(deps.db, deps.config, snapshot), snapshot, [principal.scope], {
      outside: (code, address) => `agency ${code ?? '(none)'} is outside the agencies you manage: not applied to ${address}`,
    });
    const run = await runForPlan(deps.db, plan, principal.actor);
    return {
      ...toItem(run),
      plan: {
        counts: Object.fromEntries(Object.entries(plan.counts).filter((e): e is [string, number] => typeof e[1] === 'number')),
        warnings: plan.warnings.map((w) => ({ code: w.code, message: w.message, ...(w.origin ? { origin: w.origin } : {}) })),
        problems: plan.problems,
        disable: { count: plan.disable.count, of_active: plan.disable.ofActive, exceeded: plan.disable.exceeded },
      },
    };
  },
});

export const getRunRoute = defineRoute({
  method: 'GET',
  path: '/provisioning/runs/{id}',
  operationId: 'getProvisioningRun',
  summary: 'Show a provisioning run and how far its apply has got (percent)',
  tag: 'provisioning',
  roles: PROVISIONERS,
  params: idParam,
  response: runItem.extend({ queued: z.boolean().describe('an apply job is waiting for a worker') }),
  errors: [404],
  async handler({ params, principal, deps }) {
    const run = await visibleRun(deps.db, principal, params.id);
    const queued = run.status === 'pending' && Boolean(await sharedProvisioningQueue(deps.redis, deps.config.redisPrefix).getJob(applyJobId(run.id)));
    return { ...toItem(run), queued };
  },
});

export const applyRunRoute = defineRoute({
  method: 'POST',
  path: '/provisioning/runs/{id}/apply',
  operationId: 'applyProvisioningRun',
  summary: 'Apply a planned run (a worker carries it out; follow it with GET /provisioning/runs/{id})',
  tag: 'provisioning',
  roles: PROVISIONERS,
  params: idParam,
  body: z.strictObject({ allow_mass_disable: z.boolean().default(false).describe('apply even when the plan disables more than provisioning.maxDisableShare') }),
  response: runItem.extend({ queued: z.boolean() }),
  errors: [400, 404],
  async handler({ params, body, principal, deps, ip }) {
    const run = await visibleRun(deps.db, principal, params.id);
    if (run.status === 'done') throw new ApiError(400, 'run-done', `provisioning run ${run.id} has already been applied`);
    if (run.status === 'running') throw new ApiError(400, 'run-running', `provisioning run ${run.id} is being applied now`);
    await planOfRun(deps.db, run.id);
    await enqueueApply(sharedProvisioningQueue(deps.redis, deps.config.redisPrefix), { runId: run.id, actor: principal.actor, source: ip, allowMassDisable: body.allow_mass_disable });
    return { ...toItem(run), queued: true };
  },
});
