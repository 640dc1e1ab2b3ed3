import type { Knex } from 'knex';
import { BoundedMemoryCache, RedisCache } from '../../platform/cache.js';
import type { EventBus } from '../../platform/event-bus.js';
import type { Logger } from '../../platform/logger.js';
import type { Redis } from '../../platform/redis.js';
import { MemoryVersionCounters, RedisVersionCounters } from '../../platform/version-counters.js';
import { forgetOnChange } from '../cache-invalidation.js';
import type { ConnectionsService } from '../connections/connections.service.js';
import type { TableCache } from '../tables/table-cache.js';
import type { TransactionRunner } from '../unit-of-work.js';
import { DataVersions } from './data-versions.js';
import { ExternalViewPlanner } from './external-view-plan.js';
import { InternalViewPlanner } from './internal-view-plan.js';
import { systemAccess } from './system-access.js';
import { CursorSeal } from './view-cursor.js';
import { ViewData } from './view-data.js';
import { ViewGate } from './view-gate.js';
import { ViewMaterializer } from './view-materializer.js';
import { ViewPermissions } from './view-permissions.js';
import { ViewPlanner } from './view-planner.js';
import { ViewQueries } from './view-queries.js';
import { ViewReadsService } from './view-reads.service.js';
import type { ViewRunner } from '../view-apis/view-runner.port.js';
import { SavedViewRunner } from './view-runner.js';
import { ViewChanges } from './view-changes.js';
import { SystemViews } from './system-views.js';
import { ViewTemplatesService } from './view-templates.service.js';
import { ViewsService } from './views.service.js';

export interface ViewsModuleDeps {
  knex: Knex;
  tx: TransactionRunner;
  bus: EventBus;
  log: Logger;
  /** Set: page cache and data versions in Redis, shared by replicas; else in process. */
  redis?: Redis;
  tables: TableCache;
  connections: ConnectionsService;
  /** 32 bytes that seal view cursors (the same on every replica). */
  cursorKey: Buffer;
  tenantSlug?: string;
}

/** Every default, in one place (ADR 0019). */
export const VIEW_DEFAULTS = {
  internalPageTtlSeconds: 300,
  externalPageTtlSeconds: 30,
  maxCachedPageChars: 4_000_000,
  /** In-process page cache: total characters kept. */
  memoryPageCacheChars: 64_000_000,
  maxMaterializedRows: 1_000_000,
  refreshTickMs: 1_000,
};

export interface ViewsModule {
  views: ViewsService;
  reads: ViewReadsService;
  templates: ViewTemplatesService;
  /** For the public API: saved views run without a user. */
  runner: ViewRunner;
  /** For realtime view subscriptions: views read without a user. */
  changes: ViewChanges;
  /** Stops the refresh schedule (waiting for a refresh in progress) and the event subscriptions. */
  stop(): Promise<void>;
}

/** Builds the views services over the platform's pieces and starts what runs in the background. */
export function createViewsModule(deps: ViewsModuleDeps, defaults = VIEW_DEFAULTS): ViewsModule {
  const { knex, tx, bus, log, redis } = deps;
  const versions = new DataVersions(redis ? new RedisVersionCounters(redis) : new MemoryVersionCounters());
  const pages = redis
    ? new RedisCache(redis, 'lt:view-page:')
    : new BoundedMemoryCache(defaults.memoryPageCacheChars);
  const planner = new ViewPlanner(
    new InternalViewPlanner(deps.tables),
    new ExternalViewPlanner(deps.connections),
  );
  const queries = new ViewQueries(knex, deps.connections);
  const data = new ViewData(
    knex,
    planner,
    queries,
    deps.tables,
    versions,
    pages,
    {
      internalPageTtlSeconds: defaults.internalPageTtlSeconds,
      externalPageTtlSeconds: defaults.externalPageTtlSeconds,
      maxCachedPageChars: defaults.maxCachedPageChars,
    },
    log,
  );
  const permissions = new ViewPermissions(knex);
  const gate = new ViewGate(knex, permissions);
  const seal = new CursorSeal(deps.cursorKey);
  const materializer = new ViewMaterializer(knex, tx, data, queries, log, {
    maxRows: defaults.maxMaterializedRows,
    tickMs: defaults.refreshTickMs,
  });
  const views = new ViewsService(knex, tx, planner, data, gate, permissions, materializer);
  const stopFollowing = versions.follow(bus);
  const systemViews = new SystemViews(knex, deps.tenantSlug);
  const changes = new ViewChanges(systemViews, data);
  const stopForgetting = forgetOnChange(bus, [data, systemViews]);
  const stopRefreshes = systemViews.follow(bus);
  const stopSchedule = materializer.start((workspaceId) => systemAccess(knex, workspaceId, deps.tenantSlug));
  return {
    views,
    reads: new ViewReadsService(tx, gate, data, seal, materializer, versions),
    templates: new ViewTemplatesService(knex, tx, views, deps.tables, gate),
    runner: new SavedViewRunner(systemViews, data, seal),
    changes,
    stop: async () => {
      await stopSchedule();
      stopFollowing();
      stopForgetting();
      stopRefreshes();
    },
  };
}
