import type { FastifyInstance } from 'fastify';
import type { WebmailDeps } from '../context.js';
import { registerAuditPages } from './audit.js';
import { registerDomainPages } from './domains.js';
import { registerGroupPages } from './groups.js';
import { registerLoginPages } from './logins.js';
import { registerQueuePages } from './queue.js';

/** The console's pages for security officers and superadmins: audit log, logins, domains, mail queue, groups. */
export function registerSecurityConsole(app: FastifyInstance, deps: WebmailDeps): void {
  registerAuditPages(app, deps);
  registerLoginPages(app, deps);
  registerDomainPages(app, deps);
  registerQueuePages(app, deps);
  registerGroupPages(app, deps);
}
