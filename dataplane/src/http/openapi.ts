import type { TSchema } from '@sinclair/typebox';
import { Problem } from './problem.js';
import type { AnyRoute } from './route.js';

type Json = Record<string, unknown>;

/** JSON Schema of a TypeBox schema, without TypeBox's symbol keys and without `$id`. */
export function plain(schema: TSchema): Json {
  const { $id: _id, ...rest } = JSON.parse(JSON.stringify(schema)) as Json;
  return rest;
}

/** OpenAPI 3.1's schema of raw bytes (what 3.0 wrote as `format: binary`). */
const binary = (mediaType: string): Json => ({ type: 'string', contentMediaType: mediaType });

function parameters(route: AnyRoute): Json[] {
  const list: Json[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    const properties = (schema?.properties ?? {}) as Record<string, TSchema>;
    const required = new Set<string>((schema?.required as string[] | undefined) ?? []);
    for (const [name, prop] of Object.entries(properties)) {
      list.push({ name, in: where, required: where === 'path' || required.has(name), schema: plain(prop) });
    }
  }
  return list;
}

function responses(route: AnyRoute): Json {
  const out: Json = {};
  for (const [status, schema] of Object.entries(route.responses)) {
    const isProblem = schema === Problem;
    // A schema naming its contentMediaType (a file download) is documented under that type.
    const mediaType =
      typeof schema?.contentMediaType === 'string' ? schema.contentMediaType : 'application/json';
    out[status] = schema
      ? {
          description: isProblem ? 'Problem' : 'OK',
          content: {
            [isProblem ? 'application/problem+json' : mediaType]: {
              schema: isProblem ? { $ref: '#/components/schemas/Problem' } : plain(schema),
            },
          },
        }
      : { description: 'No content' };
  }
  if (route.scope !== 'public' && !out['401'])
    out['401'] = {
      description: 'Problem',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  return out;
}

/** Paths served outside the route declarations (the public API's own chain), with their schemes. */
export interface OpenApiExtra {
  paths: Record<string, Json>;
  securitySchemes: Record<string, Json>;
}

/** OpenAPI 3.1, generated from the same route declarations and schemas that validate requests. */
export function buildOpenApi(
  routes: AnyRoute[],
  version: string,
  extra: OpenApiExtra = { paths: {}, securitySchemes: {} },
): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const operation: Json = {
      summary: route.summary,
      tags: [route.tag],
      operationId: `${route.method}${path.replace(/[{}]/g, '').replace(/[^a-zA-Z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      parameters: parameters(route),
      responses: responses(route),
      ...(route.scope === 'public' ? { security: [] } : {}),
      ...(route.permission ? { 'x-permission': route.permission } : {}),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: plain(route.body) } } } }
        : {}),
      ...(route.rawBody
        ? {
            requestBody: {
              required: true,
              description: route.rawBody.description,
              content: { [route.rawBody.mediaType]: { schema: binary(route.rawBody.mediaType) } },
            },
          }
        : {}),
    };
    paths[path] = { ...paths[path], [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Live Tables dataplane API',
      version,
      description: 'Errors are application/problem+json with a stable `code`.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    paths: { ...paths, ...extra.paths },
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        ...extra.securitySchemes,
      },
      schemas: { Problem: plain(Problem) },
    },
  };
}
