import Fastify, { type FastifyInstance } from 'fastify';
import type { DeliveryContext } from '../delivery/context.js';
import type { DirectoryPasswordCheck } from '../identity/directory-passwords.js';
import { mountAdminApi } from '../admin-api/plugin.js';
import { mountClientSetup } from '../client-setup/routes.js';
import { mountWebmail } from '../webmail/plugin.js';

/**
 * What the parts of the web role stand on: the server's shared context (PostgreSQL,
 * Redis, blob store, delivery queue to submit mail, resolver, log) and, for domains
 * whose passwords the directory checks, the directory's bind.
 */
export type WebDeps = DeliveryContext & { directoryPasswords?: DirectoryPasswordCheck | undefined };

/**
 * One part of the web role, mounted on the shared Fastify instance: the admin API
 * (/api/v1), the webmail (/mail), the admin console (/admin). A mount registers its
 * routes as a Fastify plugin under its own prefix, with its own error handling.
 */
export type WebMount = (app: FastifyInstance, deps: WebDeps) => Promise<void>;

/** The parts the web role serves; a new one is added here. */
export const WEB_MOUNTS: readonly WebMount[] = [mountAdminApi, mountClientSetup, mountWebmail];

export interface WebApp {
  app: FastifyInstance;
  /** every route registered, as METHOD and URL, for tests that compare them with documents */
  routes: ReadonlyArray<{ method: string; url: string }>;
}

/** Makes the Fastify instance of the web role with the given parts mounted, without listening. */
export async function createWebApp(deps: WebDeps, mounts: readonly WebMount[] = WEB_MOUNTS): Promise<WebApp> {
  const app = Fastify({
    // the parts log what matters themselves (pino, JSON lines); no line per request
    logger: false,
    trustProxy: deps.config.web.trustedProxies.length ? [...deps.config.web.trustedProxies] : false,
    // requests that stall are cut off rather than held open
    requestTimeout: 60_000,
  });
  const routes: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  for (const mount of mounts) await mount(app, deps);
  await app.ready();
  return { app, routes };
}

export interface WebServer extends WebApp {
  port: number;
  close(): Promise<void>;
}

/** The web role: the HTTP listener on config.ports.http. */
export async function startWeb(deps: WebDeps, mounts: readonly WebMount[] = WEB_MOUNTS): Promise<WebServer> {
  const web = await createWebApp(deps, mounts);
  await web.app.listen({ port: deps.config.ports.http, host: deps.config.listenHost });
  const address = web.app.server.address();
  const port = typeof address === 'object' && address ? address.port : deps.config.ports.http;
  return { ...web, port, close: () => web.app.close() };
}
