import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { z } from 'zod';
import { createWebApp } from '../../../src/cli/web.js';
import { ADMIN_ROUTES } from '../../../src/admin-api/routes/index.js';
import { errorBody } from '../../../src/admin-api/errors.js';
import { request, startApiEnv, type ApiEnv } from './api-env.js';

let api: ApiEnv;
let document: {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; parameters: Array<{ name: string; in: string }>; requestBody?: unknown; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
};

beforeAll(async () => {
  api = await startApiEnv();
  // served without a token: it is the map a client starts from
  const res = await request(api.port, undefined, 'GET', '/api/v1/openapi.json');
  expect(res.status).toBe(200);
  document = res.body as typeof document;
});

afterAll(async () => {
  await api?.env.stop();
});

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
  });

  it('lists exactly the routes the server registered under /api/v1', async () => {
    const web = await createWebApp(api.server.context);
    const registered = web.routes
      .filter((r) => r.url.startsWith('/api/v1/'))
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`)
      .sort();
    await web.app.close();
    const documented = Object.entries(document.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(registered);
    expect(registered).toHaveLength(ADMIN_ROUTES.length + 1);
  });

  it('describes each operation from the zod schemas that validate it', () => {
    const create = document.paths['/api/v1/accounts']!.post!;
    expect(create.operationId).toBe('createAccount');
    const schema = (create.requestBody as { content: { 'application/json': { schema: { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean } } } }).content['application/json'].schema;
    expect(schema.required).toEqual(['address']);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties).sort()).toEqual(['address', 'agency', 'display_name', 'kind', 'password', 'quota_bytes', 'title']);
    const list = document.paths['/api/v1/accounts']!.get!;
    expect(list.parameters.map((p) => `${p.in}:${p.name}`).sort()).toEqual(['query:agency', 'query:cursor', 'query:domain', 'query:kind', 'query:limit', 'query:q', 'query:status']);
    expect(Object.keys(document.paths['/api/v1/accounts/{address}']!.get!.responses).sort()).toEqual(['200', '400', '401', '403', '404', '429']);
    const { $schema: _, ...errorSchema } = z.toJSONSchema(errorBody, { io: 'output' });
    expect(document.components.schemas.Error).toEqual(errorSchema);
  });

  it('every error the API answers has the documented shape', async () => {
    const answers = [
      await api.call(undefined, 'GET', '/api/v1/accounts'),
      await api.call('auditor', 'GET', '/api/v1/accounts'),
      await api.call('superadmin', 'GET', '/api/v1/accounts/khongco@yenbai.gov.vn'),
      await api.call('superadmin', 'POST', '/api/v1/domains', { name: 5 }),
      await api.call('superadmin', 'POST', '/api/v1/domains', { name: 'yenbai.gov.vn' }),
      await api.call('superadmin', 'DELETE', '/api/v1/nothing'),
    ];
    expect(answers.map((a) => a.status)).toEqual([401, 403, 404, 400, 409, 404]);
    for (const a of answers) expect(errorBody.safeParse(a.body).success, JSON.stringify(a.body)).toBe(true);
  });

  it('every success body matches its documented schema', async () => {
    // the server checks each answer against the route's response schema before sending it;
    // these are the schemas the document was made from
    for (const route of ADMIN_ROUTES.filter((r) => r.method === 'GET' && !r.path.includes('{') && !r.download)) {
      const role = route.roles.includes('superadmin') ? 'superadmin' : 'user';
      const res = await api.call(role, 'GET', `/api/v1${route.path}`);
      expect(res.status, route.operationId).toBe(200);
      expect(route.response.safeParse(res.body).success, route.operationId).toBe(true);
    }
  });
});
