import type { Queryable } from '../store/db.js';
import { checkApiToken } from '../identity/api-tokens.js';
import { ApiError } from './errors.js';
import type { Principal } from './route.js';

const REFUSED: Record<'unknown' | 'expired' | 'revoked' | 'account-disabled', [string, string]> = {
  unknown: ['bad-token', 'the API token is not valid'],
  expired: ['token-expired', 'the API token has expired; make a new one with: hopthu token create'],
  revoked: ['token-revoked', 'the API token has been revoked'],
  'account-disabled': ['account-disabled', 'the account this token acts for is disabled'],
};

/** RFC 6750 §2.1: `Authorization: Bearer <token>`; anything else is 401. */
export async function authenticateRequest(db: Queryable, authorization: string | undefined, ip: string): Promise<Principal> {
  const match = authorization ? /^Bearer +(\S+) *$/i.exec(authorization) : null;
  if (!match) throw new ApiError(401, 'unauthenticated', 'send an API token: Authorization: Bearer hopthu_…');
  const check = await checkApiToken(db, match[1]!, ip);
  if (!check.ok) {
    const [code, message] = REFUSED[check.reason];
    throw new ApiError(401, code, message);
  }
  const { token } = check;
  return { tokenId: token.id, tokenName: token.name, scope: token.scope, actor: `api:${token.name}` };
}
