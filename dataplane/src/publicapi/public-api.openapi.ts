import type { TSchema } from '@sinclair/typebox';
import { plain, type OpenApiExtra } from '../http/openapi.js';
import { PublicDataQuery, PublicPage } from './public-query.schema.js';

type Json = Record<string, unknown>;

const problem = (description: string): Json => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const header = (description: string, type = 'integer'): Json => ({ description, schema: { type } });

const RATE_HEADERS = {
  'RateLimit-Limit': header(
    'requests per minute, the size of the token bucket (the tightest of per IP and per key)',
  ),
  'RateLimit-Remaining': header('requests that may be sent at once now (whole tokens left)'),
  'RateLimit-Reset': header('seconds until the bucket is full again'),
};

function parameters(): Json[] {
  const properties = (PublicDataQuery.properties ?? {}) as Record<string, TSchema>;
  const required = new Set<string>((PublicDataQuery.required as string[] | undefined) ?? []);
  return [
    { name: 'slug', in: 'path', required: true, schema: { type: 'string' } },
    ...Object.entries(properties).map(([name, schema]) => ({
      name,
      in: 'query',
      required: required.has(name),
      schema: plain(schema),
    })),
    { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } },
  ];
}

/** The public endpoint in the OpenAPI document, beside the declared routes (ADR 0020). */
export function publicApiOpenApi(): OpenApiExtra {
  const security = [{}, { apiKeyHeader: [] }, { apiKeyBearer: [] }];
  return {
    securitySchemes: {
      apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      apiKeyBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'lt_<prefix>_<secret>' },
    },
    paths: {
      '/public/views/{slug}/data': {
        get: {
          summary:
            'A page of a published view: ?filter, ?sort, ?fields on exposed fields, ?limit (≤ 1000), ?cursor; JSON, or CSV with Accept: text/csv',
          tags: ['public api'],
          operationId: 'getPublicViewData',
          security,
          parameters: parameters(),
          responses: {
            200: {
              description: 'OK (X-Cache: HIT, STALE, MISS or UNCACHED; ETag for If-None-Match)',
              headers: { ...RATE_HEADERS, ETag: header('strong validator of the page', 'string') },
              content: {
                'application/json': { schema: plain(PublicPage) },
                'text/csv': {
                  schema: { type: 'string', description: 'RFC 4180, header row of field names' },
                },
              },
            },
            304: { description: 'Not modified (If-None-Match matched the ETag)' },
            308: {
              description: 'An old slug of a renamed API: the same request at the current slug',
              headers: { Location: header('the current URL', 'string') },
            },
            400: problem('invalid_cursor'),
            401: problem('api_key_required, invalid_api_key, api_key_expired, api_key_revoked'),
            403: problem('origin_not_allowed (CORS), insufficient_scope'),
            404: problem('no such slug, or the API is disabled or deleted'),
            406: problem('not_acceptable: Accept names neither application/json nor text/csv'),
            422: problem('validation_failed: a parameter, or a field that is not exposed'),
            429: {
              ...problem('rate_limited, with Retry-After'),
              headers: {
                ...RATE_HEADERS,
                'Retry-After': header('seconds until the next request is allowed (the next token)'),
              },
            },
          },
        },
        options: {
          summary:
            'CORS preflight: Access-Control-Allow-Origin for an allowed origin, methods, headers, max age',
          tags: ['public api'],
          operationId: 'preflightPublicViewData',
          security: [{}],
          parameters: [{ name: 'slug', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            204: { description: 'Allowed' },
            403: problem('origin_not_allowed'),
            404: problem('no such slug'),
          },
        },
      },
    },
  };
}
