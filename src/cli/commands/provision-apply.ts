import { readFile } from 'node:fs/promises';
import { QueueEvents } from 'bullmq';
import { UserError } from '../../shared/errors.js';
import type { Plan } from '../../provisioning/plan-types.js';
import { getRun, runForPlan } from '../../provisioning/runs.js';
import { enqueueApply, provisioningQueue, startProvisioningWorker, waitForApply } from '../../provisioning/job.js';
import { cliActor, CliUsageError } from '../io.js';
import type { CliCommand } from './command.js';

function progressBar(): (percent: number) => void {
  let last = -1;
  return (percent) => {
    if (percent === last) return;
    last = percent;
    if (process.stderr.isTTY) {
      const width = 30;
      const filled = Math.round((percent / 100) * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}%`);
      if (percent >= 100) process.stderr.write('\n');
    } else if (percent % 25 === 0 || percent === 100) process.stderr.write(`${percent}%\n`);
  };
}

export const provisionApply: CliCommand = {
  options: { 'allow-mass-disable': { type: 'boolean' } },
  needs: 'db+redis',
  async run(rt, [file], values) {
    if (!file) throw new CliUsageError('which plan? hopthu provision apply PLAN.json');
    let plan: Plan;
    try {
      plan = JSON.parse(await readFile(file, 'utf8')) as Plan;
    } catch (err) {
      throw new UserError('bad-plan', `cannot read the plan ${file}: ${(err as Error).message}`);
    }
    if (plan?.version !== 1 || typeof plan.id !== 'string' || !Array.isArray(plan.items) || !plan.disable) throw new UserError('bad-plan', `${file} is not a provisioning plan (make one with hopthu provision plan --out ${file})`);
    const allowMassDisable = values['allow-mass-disable'] === true;
    const actor = cliActor();
    const run = await runForPlan(rt.db, plan, actor);
    if (run.status === 'done') {
      console.log(`plan ${plan.id} was applied by run ${run.id} (${run.finishedAt?.toISOString() ?? ''}); nothing to do`);
      return;
    }
    const queue = provisioningQueue(rt.connectRedis(), rt.config.redisPrefix);
    const events = new QueueEvents(queue.name, { connection: rt.connectRedis(), prefix: rt.config.redisPrefix });
    const worker = startProvisioningWorker({ db: rt.db, config: rt.config, log: rt.log }, rt.connectRedis());
    try {
      await events.waitUntilReady();
      const job = await enqueueApply(queue, { runId: run.id, actor, source: 'cli', allowMassDisable });
      console.log(`run ${run.id}: ${plan.items.length} items${run.doneItems ? `, ${run.doneItems} done by an earlier attempt` : ''}`);
      const summary = await waitForApply(job, events, rt.db, progressBar());
      const done = await getRun(rt.db, run.id);
      console.log(`run ${run.id} ${done.status}: ${summary.applied} items applied${summary.alreadyDone ? `, ${summary.alreadyDone} were done before` : ''}${summary.unchanged ? `, ${summary.unchanged} already as planned` : ''}`);
      for (const [op, n] of Object.entries(summary.counts)) console.log(`  ${op.padEnd(16)} ${n}`);
      if (summary.counts['account.create']) console.log(`activation codes: hopthu provision credentials ${run.id} --agency CODE --format html`);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
    }
  },
};
