import { Type, type TLiteral, type TUnion } from '@sinclair/typebox';
import { API_KEY_SCOPES } from '../../services/view-apis/api-key.js';
import { API_AUTH_MODES } from '../../services/view-apis/view-api.js';
import { Timestamp, Uuid } from './common.schema.js';

/** A union of string literals whose static type keeps the literals. */
const literals = <T extends readonly string[]>(values: T) =>
  Type.Union(values.map((v) => Type.Literal(v))) as unknown as TUnion<TLiteral<T[number]>[]>;

export const Slug = Type.String({
  pattern: '^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$',
  description: 'lower-case letters, digits and hyphens, 3 to 63 characters; global across workspaces',
});

const Origin = Type.String({
  pattern: '^(\\*|https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?)$',
  maxLength: 300,
  description: 'an origin (scheme://host[:port]) or * for any',
});

export const ViewApiBody = Type.Object(
  {
    slug: Slug,
    auth: literals(API_AUTH_MODES),
    enabled: Type.Optional(Type.Boolean({ description: 'false: the API answers 404 until enabled again' })),
    cacheTtlSeconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 86_400, description: 'how long a page stays fresh; 0 = no cache' }),
    ),
    staleWhileRevalidateSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 3_600,
        description: 'how long a stale page is still served while one request refreshes it',
      }),
    ),
    rateLimit: Type.Optional(
      Type.Object(
        {
          requestsPerMinute: Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'per API key' }),
          requestsPerMinutePerIp: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 10_000_000,
              description: 'per client IP (default: the same)',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    cors: Type.Optional(
      Type.Object({ origins: Type.Array(Origin, { maxItems: 100 }) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);

const Scope = literals(API_KEY_SCOPES);

export const ApiKeyBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' })),
    scopes: Type.Optional(
      Type.Array(Scope, {
        minItems: 1,
        maxItems: API_KEY_SCOPES.length,
        description: 'data:read (JSON), data:export (CSV); default both',
      }),
    ),
    expiresAt: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);

export const ApiKeyView = Type.Object({
  id: Uuid,
  name: Type.String(),
  prefix: Type.String({ description: 'the visible part of the key: lt_<prefix>_…' }),
  scopes: Type.Array(Scope),
  expiresAt: Type.Union([Timestamp, Type.Null()]),
  revokedAt: Type.Union([Timestamp, Type.Null()]),
  lastUsedAt: Type.Union([Timestamp, Type.Null()]),
  createdAt: Timestamp,
  createdBy: Type.Union([Uuid, Type.Null()]),
});

export const IssuedApiKeyView = Type.Composite([
  ApiKeyView,
  Type.Object({ key: Type.String({ description: 'lt_<prefix>_<secret>: shown this once, never again' }) }),
]);

export const ViewApiView = Type.Object({
  id: Uuid,
  viewId: Uuid,
  slug: Slug,
  url: Type.String({ description: 'the public endpoint of this API' }),
  auth: literals(API_AUTH_MODES),
  enabled: Type.Boolean(),
  cacheTtlSeconds: Type.Integer(),
  staleWhileRevalidateSeconds: Type.Integer(),
  rateLimit: Type.Object({ requestsPerMinute: Type.Integer(), requestsPerMinutePerIp: Type.Integer() }),
  cors: Type.Object({ origins: Type.Array(Type.String()) }),
  version: Type.Integer(),
  previousSlugs: Type.Array(Type.Object({ slug: Type.String(), redirectUntil: Timestamp }), {
    description: 'old slugs answering 308 to the current one until redirectUntil',
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const PublishedView = Type.Composite([
  ViewApiView,
  Type.Object({
    apiKey: Type.Optional(Type.String({ description: 'auth apiKey: the first key, shown this once' })),
    apiKeyId: Type.Optional(Uuid),
  }),
]);

export const ViewApiParams = Type.Object({ id: Type.String() });
export const ApiKeyParams = Type.Object({ id: Type.String(), keyId: Type.String() });

export const AnalyticsQuery = Type.Object({
  from: Type.Optional(
    Type.String({ format: 'date', description: 'first UTC day (default: 6 days before to)' }),
  ),
  to: Type.Optional(Type.String({ format: 'date', description: 'last UTC day, inclusive (default: today)' })),
});

const CacheCounts = Type.Object({ hits: Type.Integer(), misses: Type.Integer(), stale: Type.Integer() });

export const AnalyticsView = Type.Object({
  from: Type.String({ format: 'date' }),
  to: Type.String({ format: 'date' }),
  latencyBucketsMs: Type.Array(Type.Number(), {
    description: 'upper bounds of the latency buckets; counts has one more entry, for slower requests',
  }),
  data: Type.Array(
    Type.Object({
      day: Type.String({ format: 'date' }),
      keyId: Type.Union([Uuid, Type.Null()], { description: 'null: requests without a valid key' }),
      keyPrefix: Type.Union([Type.String(), Type.Null()]),
      requests: Type.Integer(),
      errors: Type.Integer({ description: 'answers with status 400 or above' }),
      latency: Type.Object({ counts: Type.Array(Type.Integer()), sumMs: Type.Number() }),
      cache: CacheCounts,
    }),
  ),
  totals: Type.Object({
    requests: Type.Integer(),
    errors: Type.Integer(),
    cache: CacheCounts,
    hitRatio: Type.Union([Type.Number(), Type.Null()], { description: '(hits + stale) / lookups' }),
  }),
});
