import type { AnyApiRoute } from '../route.js';
import { createDomainRoute, listDomainsRoute, showDomainRoute } from './domains.js';
import { createAgencyRoute, listAgenciesRoute, showAgencyRoute, updateAgencyRoute } from './agencies.js';
import {
  accountUsageRoute, createAccountRoute, disableAccountRoute, enableAccountRoute, listAccountsRoute, resetPasswordRoute, showAccountRoute,
  unlockAccountRoute, updateAccountRoute,
} from './accounts.js';
import { createAliasRoute, deleteAliasRoute, listAliasesRoute } from './aliases.js';
import { meRoute } from './me.js';
import {
  addGroupMembersRoute, createGroupRoute, deleteGroupRoute, listGroupMembersRoute, listGroupsRoute, removeGroupMemberRoute, showGroupRoute,
} from './groups.js';
import { listDelegationsRoute, removeDelegationRoute, setDelegationRoute } from './delegations.js';
import {
  createOwnAppPasswordRoute, listAppPasswordsRoute, listOwnAppPasswordsRoute, revokeAppPasswordRoute, revokeOwnAppPasswordRoute,
} from './app-passwords.js';
import { exportAuditRoute, listAuditEventsRoute, loginHistoryRoute } from './audit.js';
import { approveInspectionRoute, denyInspectionRoute, endInspectionRoute, listInspectionsRoute, requestInspectionRoute } from './inspections.js';
import { applyRunRoute, createPlanRoute, getRunRoute, listRunsRoute } from './provisioning.js';
import { listOwnSessionsRoute, listSessionsRoute, revokeOwnSessionRoute, revokeSessionsRoute } from './sessions.js';

/** Every operation of the admin API: the server's routes and the OpenAPI document are both made from this list. */
export const ADMIN_ROUTES: readonly AnyApiRoute[] = [
  listDomainsRoute, createDomainRoute, showDomainRoute,
  listAgenciesRoute, createAgencyRoute, showAgencyRoute, updateAgencyRoute,
  listAccountsRoute, createAccountRoute, showAccountRoute, updateAccountRoute, disableAccountRoute, enableAccountRoute,
  resetPasswordRoute, unlockAccountRoute, accountUsageRoute,
  listAliasesRoute, createAliasRoute, deleteAliasRoute,
  listGroupsRoute, createGroupRoute, showGroupRoute, deleteGroupRoute, listGroupMembersRoute, addGroupMembersRoute, removeGroupMemberRoute,
  listDelegationsRoute, setDelegationRoute, removeDelegationRoute,
  listAppPasswordsRoute, revokeAppPasswordRoute,
  listSessionsRoute, revokeSessionsRoute,
  listAuditEventsRoute, loginHistoryRoute, exportAuditRoute,
  listInspectionsRoute, requestInspectionRoute, approveInspectionRoute, denyInspectionRoute, endInspectionRoute,
  listRunsRoute, createPlanRoute, getRunRoute, applyRunRoute,
  meRoute, listOwnAppPasswordsRoute, createOwnAppPasswordRoute, revokeOwnAppPasswordRoute, listOwnSessionsRoute, revokeOwnSessionRoute,
];
