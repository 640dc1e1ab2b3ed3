/**
 * A view published as a public API: its settings as the API speaks them, its row in
 * `view_apis`, and the defaults of what a publisher leaves out.
 */
export const API_AUTH_MODES = ['public', 'apiKey'] as const;
export type ApiAuthMode = (typeof API_AUTH_MODES)[number];

export const VIEW_API_DEFAULTS = {
  cacheTtlSeconds: 60,
  staleWhileRevalidateSeconds: 30,
  requestsPerMinute: 600,
} as const;

/** How long an old slug keeps redirecting to the current one after a rename. */
export const OLD_SLUG_REDIRECT_DAYS = 30;

export interface ViewApiInput {
  slug: string;
  auth: ApiAuthMode;
  enabled?: boolean;
  cacheTtlSeconds?: number;
  staleWhileRevalidateSeconds?: number;
  rateLimit?: { requestsPerMinute: number; requestsPerMinutePerIp?: number };
  cors?: { origins: string[] };
}

export interface ViewApiView {
  id: string;
  viewId: string;
  slug: string;
  auth: ApiAuthMode;
  enabled: boolean;
  cacheTtlSeconds: number;
  staleWhileRevalidateSeconds: number;
  rateLimit: { requestsPerMinute: number; requestsPerMinutePerIp: number };
  cors: { origins: string[] };
  version: number;
  /** Earlier slugs that still redirect here, until when. */
  previousSlugs: { slug: string; redirectUntil: string }[];
  createdAt: string;
  updatedAt: string;
}

export interface ViewApiRow {
  id: string;
  view_id: string;
  slug: string;
  auth: ApiAuthMode;
  cache_ttl_seconds: number;
  stale_seconds: number;
  requests_per_minute: number;
  requests_per_minute_per_ip: number;
  cors_origins: string[];
  enabled: boolean;
  version: number;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

/** The row's columns for a given input (defaults applied). */
export function settingsColumns(
  input: ViewApiInput,
): Omit<ViewApiRow, 'id' | 'view_id' | 'version' | 'created_by' | 'created_at' | 'updated_at'> {
  const perKey = input.rateLimit?.requestsPerMinute ?? VIEW_API_DEFAULTS.requestsPerMinute;
  return {
    slug: input.slug,
    auth: input.auth,
    enabled: input.enabled ?? true,
    cache_ttl_seconds: input.cacheTtlSeconds ?? VIEW_API_DEFAULTS.cacheTtlSeconds,
    stale_seconds: input.staleWhileRevalidateSeconds ?? VIEW_API_DEFAULTS.staleWhileRevalidateSeconds,
    requests_per_minute: perKey,
    requests_per_minute_per_ip: input.rateLimit?.requestsPerMinutePerIp ?? perKey,
    cors_origins: [...new Set((input.cors?.origins ?? []).map((o) => o.toLowerCase()))],
  };
}

export function toViewApiView(
  row: ViewApiRow,
  previousSlugs: ViewApiView['previousSlugs'] = [],
): ViewApiView {
  return {
    id: row.id,
    viewId: row.view_id,
    slug: row.slug,
    auth: row.auth,
    enabled: row.enabled,
    cacheTtlSeconds: row.cache_ttl_seconds,
    staleWhileRevalidateSeconds: row.stale_seconds,
    rateLimit: {
      requestsPerMinute: row.requests_per_minute,
      requestsPerMinutePerIp: row.requests_per_minute_per_ip,
    },
    cors: { origins: row.cors_origins },
    version: row.version,
    previousSlugs,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
