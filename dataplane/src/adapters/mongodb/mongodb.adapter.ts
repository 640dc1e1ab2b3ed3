import type { Document, MongoClient } from 'mongodb';
import type { Catalog } from '../../query/catalog.js';
import { catalogOf } from '../../query/catalog.js';
import type { LogicalQuery } from '../../query/lqp.js';
import {
  compileMongoPipeline,
  explainMongoPlan,
  finishMongoResult,
  toPlainValue,
} from '../../query/mongo/index.js';
import { BadRequestError } from '../../platform/errors.js';
import {
  isRawSqlQuery,
  type AdapterFactory,
  type ConnectionSettings,
  type ConnectionTestResult,
  type DiscoveredSchema,
  type ExecuteOptions,
  type IDatabaseAdapter,
  type LogicalQueryResult,
  type RawQuery,
  type RawQueryResult,
} from '../adapter.js';
import { retryWithBackoff, type RetryOptions } from '../retry.js';
import { Cached } from '../sql/cached.js';
import { createMongoClient, type MongoClientSettings } from './mongo-client.js';
import { discoverMongo } from './mongo-discovery.js';
import { translateMongoError } from './mongo-errors.js';
import { assertReadOnlyPipeline, checkPipeline } from './pipeline-guard.js';
import type { StructureOptions } from './document-structure.js';

export interface MongoAdapterOptions extends MongoClientSettings {
  /** How long the discovered catalog serves LQP compilation. Default 60 000. */
  catalogTtlMs?: number;
  /** Documents sampled per collection by discovery. Default 200. */
  sampleSize?: number;
  /** Collections described by discovery, at most. Default 500. */
  maxCollections?: number;
  structure?: StructureOptions;
  /**
   * Back-off of `connect()` itself. Default one attempt: the registry already retries connects
   * (registry.ts); set this when the adapter is used on its own.
   */
  connectRetry?: RetryOptions;
  /** The instant date filters see. Default: now. */
  now?: () => Date;
}

/** MongoDB through one MongoClient (its own pool) per connection; LQP queries run as pipelines. */
export class MongoAdapter implements IDatabaseAdapter {
  readonly type = 'mongodb' as const;
  private client: MongoClient | undefined;
  private readonly catalog: Cached<DiscoveredSchema>;

  constructor(
    private readonly settings: ConnectionSettings,
    private readonly options: MongoAdapterOptions = {},
  ) {
    this.catalog = new Cached(() => this.discoverSchema(), options.catalogTtlMs ?? 60_000);
  }

  /** Opens the client and proves one round trip (`ping`), retrying with back-off per `connectRetry`. */
  async connect(): Promise<void> {
    await retryWithBackoff(
      async () => {
        const client = this.ensureClient();
        try {
          await client.connect();
          await client.db(this.settings.database).command({ ping: 1 });
        } catch (error) {
          if (this.client === client) this.client = undefined;
          await client.close().catch(() => undefined);
          throw translateMongoError(error, this.settings.statementTimeoutMs);
        }
      },
      { attempts: 1, ...this.options.connectRetry },
    );
  }

  async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.catalog.invalidate();
    await client?.close();
  }

  async testConnection(): Promise<ConnectionTestResult> {
    const started = performance.now();
    try {
      const info = await this.run((c) => c.db(this.settings.database).command({ buildInfo: 1 }));
      return {
        ok: true,
        latencyMs: Math.round(performance.now() - started),
        serverVersion: String(info.version ?? ''),
      };
    } catch (error) {
      const latencyMs = Math.round(performance.now() - started);
      return { ok: false, latencyMs, error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Databases, and the connection database's collections described by sampling; refreshes the catalog. */
  async discoverSchema(): Promise<DiscoveredSchema> {
    const schema = await this.run((client) =>
      discoverMongo(client, this.settings.database, {
        sampleSize: this.options.sampleSize ?? 200,
        maxCollections: this.options.maxCollections ?? 500,
        maxTimeMS: this.settings.statementTimeoutMs,
        structure: this.options.structure,
      }),
    );
    this.catalog.prime(schema);
    return schema;
  }

  /** Drops the cached catalog: the next LQP query discovers again. */
  refreshCatalog(): void {
    this.catalog.invalidate();
  }

  async executeLogicalQuery(query: LogicalQuery, options: ExecuteOptions = {}): Promise<LogicalQueryResult> {
    const catalog = await this.catalogFor(query);
    const now = this.options.now?.() ?? new Date();
    const plan = compileMongoPipeline(query, catalog, { now, maxRows: this.settings.rowCap });
    const docs = await this.run((client) =>
      client
        .db(plan.database ?? this.settings.database)
        .collection(plan.collection)
        .aggregate(plan.pipeline, {
          maxTimeMS: this.maxTimeMS(),
          allowDiskUse: true,
          batchSize: plan.limit + 1,
        })
        .toArray(),
    );
    const result = finishMongoResult(plan, docs, now);
    return options.explain ? { ...result, explain: explainMongoPlan(plan) } : result;
  }

  /** A raw aggregation pipeline (admins, where the connection allows raw queries); at most `rowCap` rows. */
  async executeRawQuery(raw: RawQuery): Promise<RawQueryResult> {
    if (isRawSqlQuery(raw))
      throw new BadRequestError('A MongoDB connection runs pipelines, not SQL', 'raw_query_unsupported');
    const pipeline = checkPipeline(raw);
    if (this.settings.readOnly) assertReadOnlyPipeline(pipeline);
    const cap = this.settings.rowCap;
    return this.run(async (client) => {
      const cursor = client
        .db(this.settings.database)
        .collection(raw.collection)
        .aggregate(pipeline, { maxTimeMS: this.maxTimeMS(), batchSize: Math.min(cap + 1, 1000) });
      const rows: Document[] = [];
      let truncated = false;
      try {
        for await (const doc of cursor) {
          if (rows.length === cap) {
            truncated = true;
            break;
          }
          rows.push(doc);
        }
      } finally {
        await cursor.close();
      }
      return { rows: rows.map((doc) => toPlainValue(doc) as Record<string, unknown>), truncated };
    });
  }

  /** The catalog, read again once if the query names a collection it does not know (a new one). */
  private async catalogFor(query: LogicalQuery): Promise<Catalog> {
    const names = [query.source, ...(query.joins ?? [])];
    let schema = await this.catalog.get();
    const known = (s: DiscoveredSchema) => names.every((n) => catalogOf(s.tables).table(n.table, n.schema));
    if (!known(schema)) schema = await this.catalog.refresh();
    return catalogOf(schema.tables);
  }

  /** Runs `fn` with the client; driver errors leave as domain errors. */
  private async run<T>(fn: (client: MongoClient) => Promise<T>): Promise<T> {
    try {
      return await fn(this.ensureClient());
    } catch (error) {
      throw translateMongoError(error, this.settings.statementTimeoutMs);
    }
  }

  private maxTimeMS(): number | undefined {
    return this.settings.statementTimeoutMs > 0 ? this.settings.statementTimeoutMs : undefined;
  }

  private ensureClient(): MongoClient {
    this.client ??= createMongoClient(this.settings, this.options);
    return this.client;
  }
}

/** The factory for `createAdapterFactory({ mongodb })`. */
export function mongoAdapterFactory(options: MongoAdapterOptions = {}): AdapterFactory {
  return (settings: ConnectionSettings) => new MongoAdapter(settings, options);
}
