import { randomBytes } from 'node:crypto';
import type { WebmailDeps } from '../context.js';

/**
 * Secrets the settings show once after a POST's 303 (a new app password, new recovery
 * codes) and the TOTP secret of an enrolment in progress. They wait in Redis under the
 * session that made them, never in a URL or a cookie: a one-view secret is deleted by the
 * GET that shows it (GETDEL), so a reload or the back button cannot show it again.
 */
const ONE_VIEW_SECONDS = 600;
/** long enough to find the phone and install an authenticator app */
const ENROLMENT_SECONDS = 1800;

const oneViewKey = (deps: WebmailDeps, sessionId: number, nonce: string) => `${deps.config.redisPrefix}:web:once:${sessionId}:${nonce}`;
const enrolmentKey = (deps: WebmailDeps, sessionId: number) => `${deps.config.redisPrefix}:web:enrol:${sessionId}`;

/** Keeps a value for one later view by this session; returns the nonce the redirect carries. */
export async function keepForOneView(deps: WebmailDeps, sessionId: number, value: unknown): Promise<string> {
  const nonce = randomBytes(16).toString('base64url');
  await deps.redis.set(oneViewKey(deps, sessionId, nonce), JSON.stringify(value), 'EX', ONE_VIEW_SECONDS);
  return nonce;
}

/** The value kept under this nonce, deleted as it is read; undefined when already shown, expired or another session's. */
export async function takeOneView<T>(deps: WebmailDeps, sessionId: number, nonce: unknown): Promise<T | undefined> {
  if (typeof nonce !== 'string' || !/^[\w-]{22}$/.test(nonce)) return undefined;
  const text = await deps.redis.getdel(oneViewKey(deps, sessionId, nonce));
  return text ? (JSON.parse(text) as T) : undefined;
}

/** What the enrolment page shows until the first code confirms it. */
export interface PendingEnrolment {
  secret: string;
  uri: string;
}

export async function keepEnrolment(deps: WebmailDeps, sessionId: number, pending: PendingEnrolment): Promise<void> {
  await deps.redis.set(enrolmentKey(deps, sessionId), JSON.stringify(pending), 'EX', ENROLMENT_SECONDS);
}

export async function pendingEnrolment(deps: WebmailDeps, sessionId: number): Promise<PendingEnrolment | undefined> {
  const text = await deps.redis.get(enrolmentKey(deps, sessionId));
  return text ? (JSON.parse(text) as PendingEnrolment) : undefined;
}

export async function forgetEnrolment(deps: WebmailDeps, sessionId: number): Promise<void> {
  await deps.redis.del(enrolmentKey(deps, sessionId));
}
