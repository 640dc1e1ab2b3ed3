import { LRUCache } from 'lru-cache';
import { FreshReads } from '../../platform/fresh-reads.js';
import type { Logger } from '../../platform/logger.js';
import { setOwn } from '../../platform/own-property.js';
import { CacheWarmer, type WarmerOptions } from './cache-warmer.js';
import type { PageCache } from './page-cache.js';
import { etagOf, type CacheOutcome, type CachedPage } from './page-cache.js';
import { parsePublicQuery, type ParsedPublicQuery, type PublicQueryParams } from './public-query.js';
import type { PublishedApi } from './published-api.js';
import type { PublishedApis } from './published-apis.js';
import type { PublicViewPage, ViewRunner } from './view-runner.port.js';

export interface PublicRead {
  page: CachedPage;
  /** `uncached`: the API caches nothing (cacheTtlSeconds 0). */
  outcome: CacheOutcome | 'uncached';
  /** The columns of the page, in order (for CSV). */
  columns: string[];
}

/**
 * A page of a published view for the public endpoint: the query checked against the exposed
 * columns, the data version read fresh (so the next request after a commit sees it, on every
 * replica), then the response cache (PageCache) keyed by API, settings version, view version,
 * data version and the normalized query; only exposed columns ever leave it.
 */
/** A parsed query and its cache key's digest: what repeated requests need not work out again. */
interface PreparedQuery extends ParsedPublicQuery {
  digest: string;
}

/** Queries kept parsed per API, view version and parameters (the same few come back all day). */
const PREPARED = 10_000;
/** A data version short enough is part of the key as it is; a longer one by its digest. */
const SHORT_VERSION = /^[\w.-]{1,64}$/;

/** Told of every query sent to the views engine (misses, refreshes, warming): what the cache let through. */
export interface ViewQueryObserver {
  viewQuery(slug: string): void;
}

export class PublicReads {
  private readonly dataVersions = new FreshReads<string>();
  private readonly prepared = new LRUCache<string, PreparedQuery>({ max: PREPARED });
  private readonly warmer: CacheWarmer;

  constructor(
    private readonly views: ViewRunner,
    private readonly cache: PageCache,
    published: PublishedApis,
    warming: WarmerOptions,
    log: Logger,
    private readonly observer: ViewQueryObserver,
  ) {
    this.warmer = new CacheWarmer(
      async (slug, params, seen) => {
        const found = await published.resolve(slug);
        if (found.kind !== 'api' || found.api.cacheTtlSeconds === 0) return undefined;
        return (await this.refresh(found.api, params, seen))?.freshUntil;
      },
      warming,
      log,
    );
  }

  start(): void {
    this.warmer.start();
  }

  stop(): void {
    this.warmer.stop();
  }

  async read(api: PublishedApi, params: PublicQueryParams): Promise<PublicRead> {
    const parsed = this.prepare(api, params);
    const load = this.loader(api, parsed);
    if (api.cacheTtlSeconds === 0) {
      const body = await load();
      return {
        page: { body, etag: etagOf(body), freshUntil: 0 },
        outcome: 'uncached',
        columns: parsed.columns,
      };
    }
    const key = await this.keyOf(api, parsed);
    const { page, outcome } = await this.cache.get(key, policyOf(api), load);
    this.warmer.note(key, api.slug, params, page.freshUntil, api.cacheTtlSeconds * 1000);
    return { page, outcome, columns: parsed.columns };
  }

  /** What the warmer runs: the same query, refreshed under the current data version. */
  private async refresh(
    api: PublishedApi,
    params: PublicQueryParams,
    seen: number,
  ): Promise<CachedPage | undefined> {
    const parsed = this.prepare(api, params);
    return this.cache.refresh(await this.keyOf(api, parsed), policyOf(api), this.loader(api, parsed), seen);
  }

  /** The query checked against the exposed columns (422 otherwise), parsed once per shape. */
  private prepare(api: PublishedApi, params: PublicQueryParams): PreparedQuery {
    const id = `${api.id}:${api.view.version}:${JSON.stringify(params)}`;
    let prepared = this.prepared.get(id);
    if (!prepared) {
      const parsed = parsePublicQuery(params, api.view.columns);
      prepared = { ...parsed, digest: etagOf(parsed.normalized) };
      this.prepared.set(id, prepared);
    }
    return prepared;
  }

  private async keyOf(api: PublishedApi, query: PreparedQuery): Promise<string> {
    const version = await this.dataVersions.read(`${api.workspaceId}:${api.viewId}`, () =>
      this.views.dataVersion(api.workspaceId, api.viewId),
    );
    const data = SHORT_VERSION.test(version) ? version : etagOf(version);
    return `pubapi:${api.id}:${api.version}:${api.view.version}:${data}:${query.digest}`;
  }

  private loader(api: PublishedApi, parsed: ParsedPublicQuery): () => Promise<string> {
    return async () => {
      this.observer.viewQuery(api.slug);
      const page = await this.views.runPublic(api.workspaceId, api.viewId, parsed.query);
      return JSON.stringify(exposedOnly(page, parsed.columns));
    };
  }
}

const policyOf = (api: PublishedApi) => ({ ttlSeconds: api.cacheTtlSeconds, staleSeconds: api.staleSeconds });

/** Whatever the engine returns, a page carries the columns asked for and nothing else. */
function exposedOnly(page: PublicViewPage, columns: readonly string[]): PublicViewPage {
  const data = page.data.map((row) => {
    const fields: Record<string, unknown> = {};
    for (const name of columns) if (Object.hasOwn(row.fields, name)) setOwn(fields, name, row.fields[name]);
    return row.id === undefined ? { fields } : { id: row.id, fields };
  });
  return { data, nextCursor: page.nextCursor, ...(page.groups ? { groups: page.groups } : {}) };
}
