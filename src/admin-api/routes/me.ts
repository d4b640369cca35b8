import { z } from 'zod';
import { getAccountById } from '../../identity/accounts.js';
import { defineRoute } from '../route.js';
import { ownAccountId } from '../scope.js';
import { timestamp, iso } from '../schemas.js';

export const meRoute = defineRoute({
  method: 'GET',
  path: '/me',
  operationId: 'getMe',
  summary: "Show the account a user token acts for",
  tag: 'me',
  roles: ['user'],
  response: z.strictObject({ address: z.string(), display_name: z.string(), status: z.enum(['active', 'disabled']), created_at: timestamp }),
  async handler({ principal, deps }) {
    const account = await getAccountById(deps.db, ownAccountId(principal.scope));
    return { address: account.address, display_name: account.displayName, status: account.status, created_at: iso(account.createdAt) };
  },
});
