import { writeFile } from 'node:fs/promises';
import { readSource, planFromSnapshot, type SourceKind } from '../../provisioning/service.js';
import { describePlan } from '../../provisioning/plan-text.js';
import { getRun } from '../../provisioning/runs.js';
import { credentialsCsv, credentialsHtml, runCredentials } from '../../provisioning/credentials.js';
import { CliUsageError } from '../io.js';
import type { CliCommand } from './command.js';

const SOURCES: readonly SourceKind[] = ['ldap', 'csv', 'xlsx'];
export const provisionPlan: CliCommand = {
  options: { source: { type: 'string' }, file: { type: 'string' }, out: { type: 'string' } },
  needs: 'db',
  async run(rt, _p, values) {
    const source = values.source as string | undefined;
    if (!source || !(SOURCES as readonly string[]).includes(source)) throw new CliUsageError(`which source? --source ${SOURCES.join('|')}`);
    const snapshot = await readSource(rt.config, source as SourceKind, values.file as string | undefined);
    const plan = await planFromSnapshot(rt.db, rt.config, snapshot);
    console.log(describePlan(plan));
    if (typeof values.out === 'string') {
      await writeFile(values.out, `${JSON.stringify(plan, null, 2)}\n`);
      console.log(`plan written to ${values.out}; carry it out with hopthu provision apply ${values.out}`);
    }
  },
};

export const provisionStatus: CliCommand = {
  options: { json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, [id], values) {
    const runId = Number(id);
    if (!id || !Number.isInteger(runId) || runId <= 0) throw new CliUsageError('which run? hopthu provision status RUN (a number)');
    const run = await getRun(rt.db, runId);
    if (values.json) return void console.log(JSON.stringify(run, null, 2));
    console.log(`run ${run.id} (${run.source}) by ${run.actor}: ${run.status}, ${run.doneItems}/${run.totalItems} items (${run.percent}%)${run.error ? `\n  error: ${run.error}` : ''}`);
  },
};

export const provisionCredentials: CliCommand = {
  options: { agency: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } },
  needs: 'db',
  async run(rt, [id], values) {
    const runId = Number(id);
    if (!id || !Number.isInteger(runId) || runId <= 0) throw new CliUsageError('which run? hopthu provision credentials RUN (a number)');
    const format = (values.format as string | undefined) ?? 'csv';
    if (format !== 'csv' && format !== 'html') throw new CliUsageError(`--format ${format}: use csv or html`);
    const list = await runCredentials(rt.db, runId, values.agency as string | undefined);
    const text = format === 'csv' ? credentialsCsv(list) : credentialsHtml(list, { runId });
    if (typeof values.out === 'string') {
      await writeFile(values.out, text);
      console.log(`${list.length} activation codes written to ${values.out}`);
    } else process.stdout.write(text);
  },
};
