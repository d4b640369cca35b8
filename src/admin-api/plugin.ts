import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ApiError, toApiError, type ErrorBody } from './errors.js';
import { authenticateRequest } from './auth.js';
import { checkRateLimit } from './rate-limit.js';
import { API_PREFIX, openApiDocument } from './openapi.js';
import { Download, type AnyApiRoute, type ApiDeps, type Principal } from './route.js';
import { ADMIN_ROUTES } from './routes/index.js';

const fastifyPath = (openApiPath: string) => openApiPath.replace(/\{(\w+)\}/g, ':$1');

function parseInput(schema: z.ZodType | undefined, value: unknown, where: 'params' | 'query' | 'body'): unknown {
  if (!schema) return undefined;
  if (where === 'body' && (value === undefined || value === null)) {
    throw new ApiError(400, 'invalid-request', 'the request needs a JSON object body (Content-Type: application/json)', 'body');
  }
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const field = [where, ...issue.path.map(String), issue.keys[0]].join('.');
    throw new ApiError(400, 'invalid-request', `${field}: there is no such field here`, field);
  }
  const field = [where, ...issue.path.map(String)].join('.');
  throw new ApiError(400, 'invalid-request', `${field}: ${issue.message}`, field);
}

function sendError(reply: FastifyReply, err: ApiError) {
  if (err.status === 401) reply.header('WWW-Authenticate', 'Bearer realm="hopthu"'); // RFC 6750 §3
  const retryAfter = (err as { retryAfter?: number }).retryAfter;
  if (err.status === 429 && retryAfter) reply.header('Retry-After', String(retryAfter));
  const body: ErrorBody = { error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } };
  return reply.status(err.status).send(body);
}

/**
 * The admin API as a Fastify plugin, to register with the prefix /api/v1. Every route
 * authenticates its bearer token and counts it against the rate limit before the body is
 * read, checks the token's role, validates params, query and body with the route's zod
 * schemas and checks its answer against the response schema.
 */
export async function adminApiPlugin(api: FastifyInstance, options: { deps: ApiDeps; routes?: readonly AnyApiRoute[] }): Promise<void> {
  const { deps } = options;
  const routes = options.routes ?? ADMIN_ROUTES;
  const principals = new WeakMap<FastifyRequest, Principal>();
  const document = openApiDocument(routes, { version: '1.0' });

  api.setErrorHandler((err, req, reply) => {
    let apiError = toApiError(err);
    if (apiError.code === 'body-too-large') apiError = new ApiError(413, 'body-too-large', `the request body is larger than ${deps.config.api.bodyLimitBytes} bytes`);
    if (apiError.status >= 500) deps.log.error({ err, method: req.method, url: req.url }, 'admin API request failed');
    return sendError(reply, apiError);
  });
  api.setNotFoundHandler((req, reply) =>
    sendError(reply, new ApiError(404, 'no-such-route', `there is no ${req.method} ${req.url.split('?')[0]} in this API; the routes are listed in ${API_PREFIX}/openapi.json`)),
  );

  api.get('/openapi.json', { exposeHeadRoute: false }, async () => document);

  for (const route of routes) {
    api.route({
      method: route.method,
      url: fastifyPath(route.path),
      exposeHeadRoute: false,
      bodyLimit: deps.config.api.bodyLimitBytes,
      // before the body is read: an unauthenticated or throttled request costs no parsing
      async onRequest(req) {
        const principal = await authenticateRequest(deps.db, req.headers.authorization, req.ip);
        await checkRateLimit(deps.redis, deps.config.redisPrefix, principal.tokenId, deps.config.api.rateLimitPerMinute);
        if (!route.roles.includes(principal.scope.role)) {
          throw new ApiError(403, 'forbidden', `the ${principal.scope.role} role may not ${route.summary.toLowerCase()}`);
        }
        principals.set(req, principal);
      },
      async handler(req, reply) {
        const params = parseInput(route.params, req.params, 'params');
        const query = parseInput(route.query, req.query, 'query');
        const body = parseInput(route.body, req.body, 'body');
        const result = await route.handler({ params, query, body, principal: principals.get(req)!, deps, ip: req.ip });
        if (result instanceof Download) {
          return reply
            .status(200)
            .header('content-type', result.contentType)
            .header('content-disposition', `attachment; filename="${result.filename}"`)
            .send(result.body);
        }
        const checked = route.response.safeParse(result);
        if (!checked.success) {
          deps.log.error({ operation: route.operationId, issues: checked.error.issues }, 'admin API answer does not match its schema');
          throw new ApiError(500, 'internal', 'the server made an answer it does not document; the error is in its log');
        }
        return reply.status(route.status ?? 200).send(checked.data);
      },
    });
  }
}

/** Mounts the admin API on a web app (see src/cli/web.ts). */
export async function mountAdminApi(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  await app.register(adminApiPlugin, { prefix: API_PREFIX, deps });
}
