import { transaction } from '../../store/db.js';
import { addAgency, getAgency, getAgencyById, listAgencies, updateAgency, type Agency } from '../../identity/agencies.js';
import { appendAudit } from '../../audit/audit-log.js';
import { cliActor, CliUsageError } from '../io.js';
import type { CliCommand } from './command.js';

export const agencyAdd: CliCommand = {
  options: { name: { type: 'string' }, parent: { type: 'string' }, 'external-id': { type: 'string' } },
  needs: 'db',
  async run(rt, [code], values) {
    if (!code) throw new CliUsageError('which code? hopthu agency add CODE --name "Sở Nội vụ"');
    if (typeof values.name !== 'string') throw new CliUsageError('an agency needs a name: --name "Sở Nội vụ"');
    const agency = await transaction(rt.db, async (client) => {
      const parent = typeof values.parent === 'string' ? await getAgency(client, values.parent) : undefined;
      const externalId = typeof values['external-id'] === 'string' ? values['external-id'] : null;
      const a = await addAgency(client, { code, name: values.name as string, parentId: parent?.id ?? null, externalId });
      await appendAudit(client, { actor: cliActor(), action: 'agency.add', target: a.code, source: 'cli', data: { name: a.name, parent: parent?.code ?? null, externalId } });
      return a;
    });
    console.log(`added agency ${agency.code} (${agency.name})${typeof values.parent === 'string' ? ` under ${values.parent}` : ''}`);
  },
};

/** The tree, each agency under its parent, two spaces per level, siblings by code. */
export function agencyTreeLines(agencies: Agency[]): string[] {
  const children = new Map<number | null, Agency[]>();
  for (const a of agencies) children.set(a.parentId, [...(children.get(a.parentId) ?? []), a]);
  const lines: string[] = [];
  const walk = (parentId: number | null, depth: number) => {
    for (const a of children.get(parentId) ?? []) {
      lines.push(`${'  '.repeat(depth)}${a.code}  ${a.name}${a.status === 'archived' ? ' (archived)' : ''}`);
      walk(a.id, depth + 1);
    }
  };
  walk(null, 0);
  return lines;
}

export const agencyList: CliCommand = {
  options: { json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, _p, values) {
    const agencies = await listAgencies(rt.db);
    if (values.json) {
      const codeOf = new Map(agencies.map((a) => [a.id, a.code]));
      const rows = agencies.map((a) => ({ code: a.code, name: a.name, parent: a.parentId === null ? null : codeOf.get(a.parentId) ?? null, externalId: a.externalId, status: a.status }));
      return void console.log(JSON.stringify(rows, null, 2));
    }
    if (agencies.length === 0) return void console.log('no agencies yet: add one with hopthu agency add CODE --name NAME');
    for (const line of agencyTreeLines(agencies)) console.log(line);
  },
};

export const agencyMove: CliCommand = {
  options: { parent: { type: 'string' }, root: { type: 'boolean' } },
  needs: 'db',
  async run(rt, [code], values) {
    if (!code) throw new CliUsageError('which agency? hopthu agency move CODE --parent CODE | --root');
    const toRoot = values.root === true;
    if (toRoot === (typeof values.parent === 'string')) throw new CliUsageError('say where to: --parent CODE, or --root for the top of the tree (one of them)');
    const { before, after } = await transaction(rt.db, async (client) => {
      const agency = await getAgency(client, code);
      const parent = toRoot ? undefined : await getAgency(client, values.parent as string);
      const before = agency.parentId === null ? null : (await getAgencyById(client, agency.parentId)).code;
      await updateAgency(client, agency.id, { parentId: parent?.id ?? null });
      const after = parent?.code ?? null;
      await appendAudit(client, { actor: cliActor(), action: 'agency.move', target: agency.code, source: 'cli', data: { before: { parent: before }, after: { parent: after } } });
      return { before, after };
    });
    console.log(`${code} moved from ${before ?? 'the top'} to ${after ?? 'the top of the tree'}`);
  },
};

export const agencyRename: CliCommand = {
  options: { name: { type: 'string' } },
  needs: 'db',
  async run(rt, [code], values) {
    if (!code) throw new CliUsageError('which agency? hopthu agency rename CODE --name NAME');
    if (typeof values.name !== 'string') throw new CliUsageError('the new name? --name "..."');
    const renamed = await transaction(rt.db, async (client) => {
      const agency = await getAgency(client, code);
      const a = await updateAgency(client, agency.id, { name: values.name as string });
      await appendAudit(client, { actor: cliActor(), action: 'agency.rename', target: a.code, source: 'cli', data: { before: { name: agency.name }, after: { name: a.name } } });
      return a;
    });
    console.log(`${renamed.code} is now named ${renamed.name}`);
  },
};
