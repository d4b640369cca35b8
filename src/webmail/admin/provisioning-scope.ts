import type { RoleScope } from '../../identity/roles.js';
import { getRun, type Run } from '../../provisioning/runs.js';
import { runsVisibleToActor } from '../../provisioning/scope.js';
import { PageError, type WebContext } from '../context.js';
import { scopesWith } from './accounts-scope.js';

/** Which provisioning runs a console page may open (the limits themselves are in provisioning/scope.ts). */

export const PROVISIONING_ROLES = ['superadmin', 'agency-admin'] as const;

/** The run of the URL, if the person may open it (a superadmin any, an HR officer their own); else 404. */
export async function visibleRun(ctx: WebContext, idText: string): Promise<{ run: Run; scopes: RoleScope[] }> {
  const scopes = await scopesWith(ctx, PROVISIONING_ROLES);
  const id = Number(idText);
  const run = Number.isSafeInteger(id) && id > 0 ? await getRun(ctx.deps.db, id).catch(() => undefined) : undefined;
  if (!run || !runsVisibleTo(ctx, scopes, [run]).length) throw new PageError(404, ctx.t('error.not-found'));
  return { run, scopes };
}

/** The runs a person may open: a superadmin every run, an HR officer the runs they started. */
export function runsVisibleTo(ctx: WebContext, scopes: readonly RoleScope[], runs: readonly Run[]): Run[] {
  return runsVisibleToActor(scopes, ctx.account?.address ?? '', runs);
}

