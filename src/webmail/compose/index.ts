import type { FastifyInstance } from 'fastify';
import type { WebmailDeps } from '../context.js';
import { registerContactsRoutes } from './contacts-routes.js';
import { registerComposeRoutes } from './routes.js';

/** The webmail's compose area: /mail/compose and the address book /mail/contacts (+ .json). */
export function registerComposeArea(app: FastifyInstance, deps: WebmailDeps): void {
  registerComposeRoutes(app, deps);
  registerContactsRoutes(app, deps);
}
