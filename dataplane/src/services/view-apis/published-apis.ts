import type { Knex } from 'knex';
import { NotFoundError, UnauthorizedError } from '../../platform/errors.js';
import { ScopedCache } from '../../platform/scoped-cache.js';
import { queryPrepared } from '../../store/prepared.js';
import type { WorkspaceCache } from '../cache-invalidation.js';
import { parseApiKey, secretMatches } from './api-key-format.js';
import type { ApiKeyRow } from './api-key.js';
import type { PublishedApi, SlugResolution, VerifiedKey } from './published-api.js';
import type { ViewApiRow } from './view-api.js';
import type { ViewRunner } from './view-runner.port.js';

/** A slug, its workspace, and (for an old slug) the API's current slug. */
const SLUG = `
  SELECT s.view_api_id, s.workspace_id, s.redirect_until, w.schema_name, w.slug AS workspace_slug,
         cur.slug AS current_slug
  FROM public_api_slugs s
  JOIN workspaces w ON w.id = s.workspace_id
  LEFT JOIN public_api_slugs cur ON cur.view_api_id = s.view_api_id AND cur.redirect_until IS NULL
  WHERE s.slug = $1 AND (s.redirect_until IS NULL OR s.redirect_until > now())`;

interface SlugRow {
  view_api_id: string;
  workspace_id: string;
  redirect_until: Date | null;
  schema_name: string;
  workspace_slug: string;
  current_slug: string | null;
}

type Resolution = SlugResolution | { kind: 'disabled' };
type KeyRecord = Pick<ApiKeyRow, 'id' | 'secret_hash' | 'scopes' | 'expires_at' | 'revoked_at'>;

/** Bounded like the access cache, and forgotten the same way (ADR 0012). */
const CACHE = { max: 10_000, ttlMs: 30_000 };

/**
 * What the public endpoint asks on every request, cached in process: which API a slug names
 * (with its view's exposed shape) and whether a presented key is one of its keys. Both are
 * forgotten for a workspace on every committed change of it (`workspace.changed`: publishing,
 * disabling, deleting an API, revoking a key, changing the view), and entirely on `bus.gap`.
 * Unknown slugs and keys are never cached.
 */
export class PublishedApis implements WorkspaceCache {
  private readonly apis = new ScopedCache<Resolution>(CACHE);
  private readonly keys = new ScopedCache<KeyRecord>(CACHE);

  constructor(
    private readonly knex: Knex,
    private readonly views: ViewRunner,
    /** Tenant mode: the only workspace this process serves. */
    private readonly tenantSlug: string | undefined,
  ) {}

  forgetWorkspace(workspaceId: string): void {
    this.apis.forgetScope(workspaceId);
    this.keys.forgetScope(workspaceId);
  }

  clear(): void {
    this.apis.clear();
    this.keys.clear();
  }

  /** 404 for a slug nobody holds, a disabled API, and a view that is gone. */
  async resolve(slug: string): Promise<SlugResolution> {
    const found = await this.apis.getOrLoad(slug, () => this.load(slug));
    if (found.kind === 'disabled') throw new NotFoundError('Public API');
    return found;
  }

  /**
   * The key, if it is one of the API's, unexpired and unrevoked. A key that is not well formed,
   * unknown, or whose secret is wrong all answer the same 401.
   */
  async verifyKey(api: PublishedApi, presented: string | undefined): Promise<VerifiedKey> {
    if (!presented)
      throw new UnauthorizedError(
        'This API needs a key: X-API-Key or Authorization: Bearer',
        'api_key_required',
      );
    const parts = parseApiKey(presented);
    if (!parts) throw invalidKey();
    const record = await this.keys
      .getOrLoad(`${api.id}:${parts.prefix}`, async () => ({
        scope: api.workspaceId,
        value: await this.loadKey(api, parts.prefix),
      }))
      .catch((error: unknown) => {
        throw error instanceof NotFoundError ? invalidKey() : error;
      });
    if (!secretMatches(parts.secret, record.secret_hash)) throw invalidKey();
    if (record.revoked_at) throw new UnauthorizedError('This API key was revoked', 'api_key_revoked');
    if (record.expires_at && record.expires_at.getTime() <= Date.now())
      throw new UnauthorizedError('This API key has expired', 'api_key_expired');
    return { id: record.id, scopes: record.scopes };
  }

  private async load(slug: string): Promise<{ scope: string; value: Resolution }> {
    const [found] = (await queryPrepared(this.knex, 'lt_public_api_slug', SLUG, [
      slug,
    ])) as unknown as SlugRow[];
    if (!found || (this.tenantSlug && found.workspace_slug !== this.tenantSlug))
      throw new NotFoundError('Public API');
    const scope = found.workspace_id;
    if (found.redirect_until) {
      if (!found.current_slug) throw new NotFoundError('Public API');
      return { scope, value: { kind: 'moved', slug: found.current_slug } };
    }
    const row = (await this.knex
      .withSchema(found.schema_name)
      .table('view_apis')
      .where({ id: found.view_api_id })
      .first()) as ViewApiRow | undefined;
    if (!row) throw new NotFoundError('Public API');
    if (!row.enabled) return { scope, value: { kind: 'disabled' } };
    const view = await this.views.describe(found.workspace_id, row.view_id);
    return { scope, value: { kind: 'api', api: toPublished(row, found, view) } };
  }

  private async loadKey(api: PublishedApi, prefix: string): Promise<KeyRecord> {
    const row = (await this.knex
      .withSchema(api.schema)
      .table('api_keys')
      .where({ view_api_id: api.id, prefix })
      .first('id', 'secret_hash', 'scopes', 'expires_at', 'revoked_at')) as KeyRecord | undefined;
    if (!row) throw new NotFoundError('API key');
    return row;
  }
}

const invalidKey = () => new UnauthorizedError('The API key is not valid for this API', 'invalid_api_key');

function toPublished(row: ViewApiRow, slug: SlugRow, view: PublishedApi['view']): PublishedApi {
  return {
    id: row.id,
    workspaceId: slug.workspace_id,
    schema: slug.schema_name,
    viewId: row.view_id,
    slug: row.slug,
    auth: row.auth,
    version: row.version,
    cacheTtlSeconds: row.cache_ttl_seconds,
    staleSeconds: row.stale_seconds,
    requestsPerMinute: row.requests_per_minute,
    requestsPerMinutePerIp: row.requests_per_minute_per_ip,
    corsOrigins: row.cors_origins,
    view,
  };
}
