import type { ApplySummary } from './apply.js';
import type { Plan } from './plan-types.js';

const MAX_LISTED = 20;

/** A plan as people read it: counts per change, every unreadable row, the first warnings, the mass-disable stop. */
export function describePlan(plan: Plan): string {
  const lines = [`plan ${plan.id} from ${plan.source.kind} (${plan.source.description}), domain ${plan.domain}`];
  const ops = Object.entries(plan.counts);
  lines.push(ops.length ? ops.map(([op, n]) => `  ${op.padEnd(16)} ${n}`).join('\n') : '  nothing to change');
  if (plan.problems.length) {
    lines.push(`${plan.problems.length} rows or entries could not be read and are left out:`);
    for (const p of plan.problems) lines.push(`  ${p.origin}: ${p.reason}`);
  }
  if (plan.warnings.length) {
    lines.push(`${plan.warnings.length} warnings:`);
    for (const w of plan.warnings.slice(0, MAX_LISTED)) lines.push(`  [${w.code}] ${w.message}`);
    if (plan.warnings.length > MAX_LISTED) lines.push(`  … and ${plan.warnings.length - MAX_LISTED} more (see the plan file)`);
  }
  const d = plan.disable;
  if (d.exceeded) {
    lines.push(`STOP: the plan disables ${d.count} of ${d.ofActive} provisioned accounts (${(d.share * 100).toFixed(1)}%, limit ${(d.maxShare * 100).toFixed(1)}%); apply refuses it without --allow-mass-disable`);
  }
  return lines.join('\n');
}

/** What a run did, after describePlan. */
export function describeApply(summary: ApplySummary): string {
  const lines = [`run ${summary.runId}: ${summary.applied} items applied${summary.unchanged ? `, ${summary.unchanged} already as planned` : ''}`];
  for (const [op, n] of Object.entries(summary.counts)) lines.push(`  ${op.padEnd(16)} ${n}`);
  return lines.join('\n');
}
