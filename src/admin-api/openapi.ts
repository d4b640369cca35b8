import { z } from 'zod';
import { COMMON_ERRORS, errorBody } from './errors.js';
import type { AnyApiRoute } from './route.js';

export const API_PREFIX = '/api/v1';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline' }) as JsonSchema;
  return rest;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, s]) => {
    const { description, ...rest } = s;
    return {
      name,
      in: where,
      required: where === 'path' || (object.required ?? []).includes(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

/**
 * The OpenAPI 3.1 document, made from the same route list and zod schemas that the
 * server validates requests with: a route cannot exist without being described.
 */
export function openApiDocument(routes: readonly AnyApiRoute[], info: { version: string }): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const errors = [...new Set([401, 403, 429, ...(route.errors ?? []), ...(route.body ? [400, 413] : []), ...(route.query || route.params ? [400] : [])])].sort();
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      description: `Roles: ${route.roles.join(', ')}.`,
      tags: [route.tag],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      responses: {
        [String(route.status ?? 200)]: {
          description: 'success',
          content: Object.fromEntries((route.download ?? ['application/json']).map((type) => [type, { schema: jsonSchema(route.response, 'output') }])),
        },
        ...Object.fromEntries(errors.map((status) => [String(status), errorResponse(COMMON_ERRORS[status] ?? 'error')])),
      },
    };
    if (route.body) operation.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } };
    (paths[API_PREFIX + route.path] ??= {})[route.method.toLowerCase()] = operation;
  }
  paths[`${API_PREFIX}/openapi.json`] = {
    get: {
      operationId: 'getOpenApiDocument',
      summary: 'this document',
      tags: ['meta'],
      security: [],
      responses: { '200': { description: 'the OpenAPI document', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'hopthu admin API',
      version: info.version,
      description:
        'Administration of domains, agencies, accounts and aliases. Every change is written to the audit log with the token as actor. ' +
        'Lists are paged with ?cursor=&limit= and answer next_cursor. Errors are {"error":{"code","message"}}.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: [...new Set(routes.map((r) => r.tag)), 'meta'].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token from: hopthu token create' } },
      schemas: { Error: jsonSchema(errorBody, 'output') },
    },
  };
}
