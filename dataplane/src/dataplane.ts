import { baseRoutes } from './http/routes/bases.routes.js';
import { rowRoutes } from './http/routes/rows.routes.js';
import { attachmentRoutes } from './http/routes/attachments.routes.js';
import { AttachmentCopier } from './services/attachments/attachment-copies.js';
import { AttachmentSweeper } from './services/attachments/attachment-sweeper.js';
import { AttachmentsService } from './services/attachments/attachments.service.js';
import { createAttachmentStores } from './store/attachments/attachment-stores.js';
import { auditRoutes } from './http/routes/audit.routes.js';
import { AuditLogService } from './services/audit/audit-log.service.js';
import { RevertService } from './services/audit/revert.service.js';
import { tableRoutes } from './http/routes/tables.routes.js';
import { BaseCopiesService } from './services/bases/base-copies.service.js';
import { BaseRolesService } from './services/bases/base-roles.service.js';
import { BasesService } from './services/bases/bases.service.js';
import { BulkRows } from './services/rows/bulk-rows.js';
import { RowsService } from './services/rows/rows.service.js';
import { ColumnsService } from './services/tables/columns.service.js';
import { IndexesService } from './services/tables/indexes.service.js';
import { TablesService } from './services/tables/tables.service.js';
import { TableCache } from './services/tables/table-cache.js';
import { forgetOnChange } from './services/cache-invalidation.js';
import { createServer, type Server } from 'node:http';
import type { Knex } from 'knex';
import { buildOpenApi } from './http/openapi.js';
import { createHttpApp } from './http/app.js';
import type { AnyRoute } from './http/route.js';
import { authRoutes } from './http/routes/auth.routes.js';
import { invitationRoutes } from './http/routes/invitations.routes.js';
import { memberRoutes } from './http/routes/members.routes.js';
import { systemRoutes, type ReadinessCheck } from './http/routes/system.routes.js';
import { workspaceRoutes } from './http/routes/workspaces.routes.js';
import { MemoryCache, RedisCache, type Cache } from './platform/cache.js';
import type { Config } from './platform/config.js';
import { createDatabase, type Database } from './platform/database.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './platform/embedded-postgres.js';
import { MemoryEventBus, RedisEventBus, type EventBus } from './platform/event-bus.js';
import { closeGracefully, listen } from './platform/http-server.js';
import { InFlight } from './platform/in-flight.js';
import { createLogger, type Logger } from './platform/logger.js';
import { createMetrics, registerPoolGauges } from './platform/metrics.js';
import { limiterFactory } from './platform/rate-limiter.js';
import { tokenBuckets } from './platform/token-bucket.js';
import { startRealtime } from './realtime/realtime-server.js';
import { createRedis, type Redis } from './platform/redis.js';
import { loadOrCreateSecret } from './platform/secrets.js';
import { AccessTokens } from './services/auth/access-tokens.js';
import { AuthService } from './services/auth/auth.service.js';
import { AccessPolicy } from './services/rbac/access-policy.js';
import { DenyList } from './services/auth/deny-list.js';
import { LoginThrottle } from './services/auth/login-throttle.js';
import { PasswordHasher } from './services/auth/password-policy.js';
import { transactionRunner } from './services/unit-of-work.js';
import { purgeTrashedColumns } from './services/tables/trash-purge.js';
import { purgeExpiredAuditEntries } from './services/workspaces/audit-retention.js';
import { InvitationsService } from './services/workspaces/invitations.service.js';
import { MembersService } from './services/workspaces/members.service.js';
import { TenantBootstrap } from './services/workspaces/tenant-bootstrap.js';
import { WorkspaceAccessResolver } from './services/workspaces/workspace-access.js';
import { WorkspacesService } from './services/workspaces/workspaces.service.js';
import { migrateAll } from './store/migrator.js';
import { TableDataKeyStore } from './store/data-key.table-store.js';
import { AdapterRegistry } from './adapters/registry.js';
import { createAdapterFactory } from './adapters/factory.js';

import { createKmsProvider } from './platform/crypto/kms-factory.js';
import { ssrfPolicyFromConfig } from './platform/ssrf/ssrf-policy.js';
import { ConnectionsService } from './services/connections/connections.service.js';
import { credentialSealer, hostGuard, workspaceSchemaOf } from './services/connections/platform-ports.js';
import { connectionRoutes } from './http/routes/connections.routes.js';
import { VERSION } from './version.js';
// ---- views (issue 6) ----
import { hkdfSync } from 'node:crypto';
import { viewRoutes } from './http/routes/views.routes.js';
import { createViewsModule } from './services/views/views-module.js';
import type { ViewRunner } from './services/view-apis/view-runner.port.js';
// ---- end views ----

// ── Public view APIs (issue 6, ADR 0020) ──
import { viewApiRoutes } from './http/routes/view-apis.routes.js';
import { publicApiRouter } from './publicapi/public-api.router.js';
import { PublicApiMetrics } from './publicapi/public-api.metrics.js';
import { publicApiOpenApi } from './publicapi/public-api.openapi.js';
import { MemoryLock, RedisLock, type Lock } from './platform/distributed-lock.js';
import { ApiKeysService } from './services/view-apis/api-keys.service.js';
import { KeyLastUsed } from './services/view-apis/key-last-used.js';
import { PageCache } from './services/view-apis/page-cache.js';
import { PublicRateLimits } from './services/view-apis/public-rate-limits.js';
import { PublicReads } from './services/view-apis/public-reads.service.js';
import { PublishedApis } from './services/view-apis/published-apis.js';
import { SlugDirectory } from './services/view-apis/slug-directory.js';
import { UsageRecorder } from './services/view-apis/usage-recorder.js';
import { ViewApiAnalytics } from './services/view-apis/view-api-analytics.service.js';
import { ViewApisService } from './services/view-apis/view-apis.service.js';

export interface Dataplane {
  url: string;
  server: Server;
  knex: Knex;
  bus: EventBus;
  log: Logger;
  /** Saved views run without a user, for the public API (issue 6). */
  viewRunner: ViewRunner;
  /** Graceful: stop accepting, drain in-flight requests, close pools. Idempotent. */
  stop(): Promise<void>;
}

const AUDIT_PURGE_INTERVAL_MS = 3600_000;

/** Public view APIs: how often usage is added to PostgreSQL, how often the cache warmer looks. */
const PUBLIC_API = { usageFlushMs: 5_000, warmTickMs: 1_000 };

/** `count=exact` on a row list answers null rather than hold a request longer than this. */
const ROWS_EXACT_COUNT_TIMEOUT_MS = 2_000;

const CONNECTION_DEFAULTS = {
  statementTimeoutMs: 30_000,
  rowCap: 10_000,
  poolMax: 5,
  poolIdleMs: 60_000,
  schemaCacheTtlSeconds: 300,
};

/** The composition root: builds every layer from the configuration and starts listening. */
export async function startDataplane(
  config: Config,
  log: Logger = createLogger(config.logLevel),
): Promise<Dataplane> {
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse())
      await close().catch((error: unknown) => log.error({ err: error }, 'error while closing'));
  };
  try {
    return await assemble(config, log, closers, closeAll);
  } catch (error) {
    await closeAll();
    throw error;
  }
}

async function assemble(
  config: Config,
  log: Logger,
  closers: (() => Promise<unknown>)[],
  closeAll: () => Promise<void>,
): Promise<Dataplane> {
  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, log);
    closers.push(() => (embedded as EmbeddedDatabase).stop());
  }
  const jwtSecret = config.jwtSecret ?? (await loadOrCreateSecret(config.dataDir, 'jwt-secret', 48));
  const masterKey =
    config.masterKey ??
    (config.tenant ? undefined : await loadOrCreateSecret(config.dataDir, 'master-key', 32));

  const controlSchema = config.tenant?.schema ?? 'lt_control';
  const db: Database = createDatabase({
    connectionString: config.databaseUrl ?? (embedded as EmbeddedDatabase).url,
    searchPath: controlSchema,
    poolMax: config.db.poolMax,
    statementTimeoutMs: config.db.statementTimeoutMs,
  });
  closers.push(() => db.close());
  const tenant = config.tenant ? new TenantBootstrap(config.tenant, log) : undefined;
  await migrateAll(db, controlSchema, log, tenant?.ensureWorkspace);

  let redis: Redis | undefined;
  let bus: EventBus;
  let cache: Cache;
  let lock: Lock;
  if (config.redisUrl) {
    const main = createRedis(config.redisUrl, 'main');
    const publisher = createRedis(config.redisUrl, 'pub');
    const subscriber = createRedis(config.redisUrl, 'sub');
    closers.push(() => Promise.all([main, publisher, subscriber].map((r) => r.quit())));
    // ioredis reconnects by itself; each failed attempt is worth a line, not an unhandled error.
    for (const client of [main, publisher, subscriber])
      client.on('error', (error: Error) => log.warn({ err: error }, 'Redis connection error'));
    redis = main;
    bus = new RedisEventBus(publisher, subscriber, log);
    cache = new RedisCache(main);
    lock = new RedisLock(main);
  } else {
    bus = new MemoryEventBus(log);
    cache = new MemoryCache();
    lock = new MemoryLock();
  }
  closers.push(() => bus.close());

  const knex = db.knex;
  const tx = transactionRunner(knex, bus, log);
  const denyList = new DenyList(cache, knex);
  await denyList.warm();
  const accessTokens = new AccessTokens(jwtSecret, config.auth.accessTokenTtlSeconds, denyList);
  const throttle = new LoginThrottle(
    limiterFactory(redis),
    config.auth.loginAttemptsPerIpPerMinute,
    config.auth.loginFreeFailures,
  );
  const auth = new AuthService(
    knex,
    tx,
    new PasswordHasher(config.auth.bcryptCost),
    accessTokens,
    denyList,
    throttle,
    config.auth.refreshTokenTtlDays,
    tenant?.onRegistered,
  );
  const workspaces = new WorkspacesService(knex, tx, config.tenant?.slug);
  const members = new MembersService(knex, tx);
  const registry = new AdapterRegistry({
    factory: createAdapterFactory(),
    logger: log,
  });
  registry.start();
  closers.push(() => registry.closeAll());
  const connections = new ConnectionsService(
    knex,
    tx,
    credentialSealer(
      createKmsProvider(config, masterKey ? { masterKey } : {}),
      new TableDataKeyStore(knex, workspaceSchemaOf(knex)),
    ),
    hostGuard(ssrfPolicyFromConfig(config)),
    registry,
    cache,
    CONNECTION_DEFAULTS,
  );
  const invitations = new InvitationsService(knex, tx);
  const bases = new BasesService(knex, tx);
  const tables = new TablesService(knex, tx);
  const columns = new ColumnsService(tx);
  const indexes = new IndexesService(knex, tx, log);
  const tableCache = new TableCache(knex);
  const resolver = new WorkspaceAccessResolver(knex, config.tenant?.slug);
  const stopForgetting = forgetOnChange(bus, [resolver, tableCache]);
  closers.push(async () => stopForgetting());
  const rows = new RowsService(knex, tx, tableCache, {
    exactCountTimeoutMs: ROWS_EXACT_COUNT_TIMEOUT_MS,
    onSort: (schema, tableId, column, direction) => indexes.noteSort(schema, tableId, column, direction),
    onFilter: (schema, tableId, column) => indexes.noteFilter(schema, tableId, column),
  });
  const bulkRows = new BulkRows(rows, tx);
  const attachmentStores = createAttachmentStores(config.attachments.s3);
  const attachments = new AttachmentsService(
    knex,
    tx,
    attachmentStores,
    { maxBytes: config.attachments.maxBytes },
    log,
  );
  const attachmentSweeper = new AttachmentSweeper(knex, tx, attachmentStores, log, {
    graceMs: config.attachments.sweepGraceMs,
  });
  const auditLog = new AuditLogService(knex);
  const reverts = new RevertService(knex, tx, rows);
  const baseCopies = new BaseCopiesService(
    knex,
    tx,
    bases,
    tables,
    rows,
    new AttachmentCopier(knex, attachmentStores, log),
  );
  const baseRoles = new BaseRolesService(knex, tx);

  // ---- views (issue 6): saved views, their data, cache, materialization; `views.runner` for the public API ----
  const views = createViewsModule({
    knex,
    tx,
    bus,
    log,
    ...(redis ? { redis } : {}),
    tables: tableCache,
    connections,
    // Every replica derives the same key from the shared JWT secret; cursors are not tokens.
    cursorKey: Buffer.from(hkdfSync('sha256', jwtSecret, 'live-tables', 'view cursors', 32)),
    ...(config.tenant ? { tenantSlug: config.tenant.slug } : {}),
  });
  closers.push(() => views.stop());
  // ---- end views ----

  const metrics = createMetrics();
  registerPoolGauges(metrics, knex);

  // ── Public view APIs (issue 6, ADR 0020): management routes, /public/views/:slug/data ──
  const apiKeys = new ApiKeysService(knex, tx, views.views);
  const viewApis = new ViewApisService(knex, tx, views.runner, views.views, new SlugDirectory(), apiKeys);
  views.views.onDelete((uow, access, viewId) => viewApis.withdraw(uow, access, viewId));
  const published = new PublishedApis(knex, views.runner, config.tenant?.slug);
  const stopForgettingApis = forgetOnChange(bus, [published]);
  closers.push(async () => stopForgettingApis());
  const usage = new UsageRecorder(knex, log, PUBLIC_API.usageFlushMs);
  usage.start();
  closers.push(() => usage.stop());
  const warming = { tickMs: PUBLIC_API.warmTickMs, top: config.publicApi.warmTop };
  const publicMetrics = new PublicApiMetrics(metrics.registry);
  const publicReads = new PublicReads(
    views.runner,
    new PageCache(cache, lock, log),
    published,
    warming,
    log,
    publicMetrics,
  );
  if (warming.top > 0) publicReads.start();
  closers.push(async () => publicReads.stop());
  const publicApi = publicApiRouter({
    published,
    reads: publicReads,
    limits: new PublicRateLimits(
      tokenBuckets(redis, (error) =>
        log.warn({ err: error }, 'Redis unreachable: rate limits counted per replica'),
      ),
    ),
    usage,
    keysUsed: new KeyLastUsed(knex, log),
    metrics: publicMetrics,
  });
  const viewApiRouteList = viewApiRoutes(viewApis, apiKeys, new ViewApiAnalytics(knex, usage, views.views));
  // ── end of public view APIs ──

  const checks: Record<string, ReadinessCheck> = { postgres: async () => void (await knex.raw('SELECT 1')) };
  if (redis) {
    const client = redis;
    checks.redis = async () => void (await client.ping());
  }
  let shuttingDown = false;
  let openApi: unknown;
  const routes: AnyRoute[] = [
    ...systemRoutes({
      checks,
      metrics: metrics.registry,
      openApi: () => (openApi ??= buildOpenApi(routes, VERSION, publicApiOpenApi())),
      isShuttingDown: () => shuttingDown,
    }),
    ...authRoutes(auth, workspaces),
    ...workspaceRoutes(workspaces),
    ...memberRoutes(members),
    ...invitationRoutes(invitations),
    ...connectionRoutes(connections),
    ...baseRoutes(bases, baseCopies, baseRoles),
    ...tableRoutes(tables, columns, indexes),
    ...rowRoutes(rows, bulkRows),
    ...attachmentRoutes(attachments),
    ...auditRoutes(auditLog, reverts),
    ...viewRoutes(views.views, views.reads, views.templates),
    ...viewApiRouteList,
  ];

  const inFlight = new InFlight();
  const app = createHttpApp({
    inFlight,
    routes,
    deps: { accessTokens, workspaces: resolver, policy: new AccessPolicy() },
    log,
    metrics,
    bodyLimitBytes: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    publicApi,
  });
  const server = createServer(app.callback());
  closers.push(() => closeGracefully(server, config.shutdownTimeoutMs, inFlight));
  // Closed before the HTTP server (closers run in reverse): sockets go first, then requests drain.
  const realtime = startRealtime({
    server,
    ...(redis ? { redis } : {}),
    bus,
    log,
    tokens: accessTokens,
    resolver,
    tables: tableCache,
    views: views.views,
    rows,
    viewChanges: views.changes,
    activity: config.presence,
  });
  closers.push(() => realtime.close());
  const url = await listen(server, config.port, config.host);

  const purge = setInterval(() => {
    purgeTrashedColumns(knex).catch((error: unknown) =>
      log.error({ err: error }, 'column trash purge failed'),
    );
    purgeExpiredAuditEntries(knex).catch((error: unknown) =>
      log.error({ err: error }, 'audit retention purge failed'),
    );
    attachmentSweeper.sweep().catch((error: unknown) => log.error({ err: error }, 'attachment sweep failed'));
  }, AUDIT_PURGE_INTERVAL_MS);
  purge.unref();
  closers.push(async () => clearInterval(purge));

  log.info(
    {
      url,
      mode: config.tenant ? 'tenant' : 'standalone',
      embeddedPostgres: Boolean(embedded),
      redis: Boolean(redis),
    },
    `Live Tables dataplane listening on ${url}`,
  );
  let stopping: Promise<void> | undefined;
  return {
    url,
    server,
    knex,
    bus,
    log,
    viewRunner: views.runner,
    stop: () => {
      shuttingDown = true;
      stopping ??= closeAll();
      return stopping;
    },
  };
}
