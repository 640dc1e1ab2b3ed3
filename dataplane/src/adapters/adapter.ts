import type { CatalogColumn, CatalogTable } from '../query/catalog.js';
import type { LogicalQuery, QueryExplanation, QueryResult } from '../query/lqp.js';

/**
 * The contract every external source implements (PostgreSQL, MySQL/MariaDB, MongoDB).
 * An adapter owns one pool for one connection; the registry (registry.ts) creates adapters
 * lazily, wraps them with retry and a circuit breaker, and closes idle ones.
 */
export type AdapterType = 'postgres' | 'mysql' | 'mongodb';

/**
 * What an adapter needs to connect. Credentials are already decrypted, and `host` is the
 * address the SSRF guard resolved and checked: adapters connect to it and never resolve names.
 */
export interface ConnectionSettings {
  id: string;
  type: AdapterType;
  /** The vetted IP address (or, in trusted setups such as tests, a host name). */
  host: string;
  /** The original host name, for TLS SNI and certificate checks when `host` is an address. */
  servername?: string;
  port: number;
  database: string;
  username?: string;
  password?: string;
  /** Refuse writes: raw statements other than reads, and every query runs in a read-only transaction. */
  readOnly: boolean;
  /** Server-side limit per statement, in milliseconds (0 = no limit). */
  statementTimeoutMs: number;
  /** At most this many rows are returned; more are cut off and reported as `truncated`. */
  rowCap: number;
  ssl?: SslSettings;
  pool: PoolSettings;
}

/** `true` = TLS with certificate verification; an object refines it. Absent or `false` = plain. */
export type SslSettings = boolean | { rejectUnauthorized?: boolean; ca?: string };

export interface PoolSettings {
  /** Most open connections in this connection's pool. */
  max: number;
  /** A pooled connection idle this long (ms) is closed by the driver. */
  idleMs: number;
}

export interface ConnectionTestResult {
  ok: boolean;
  latencyMs: number;
  serverVersion?: string;
  error?: string;
}

export interface DiscoveredColumn extends CatalogColumn {
  /** The column default as the source prints it (`nextval('t_id_seq'::regclass)`), or null. */
  default: string | null;
  nativeType: string;
}

export interface DiscoveredForeignKey {
  name?: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
}

export interface DiscoveredIndex {
  name: string;
  columns: string[];
  unique: boolean;
}

export interface DiscoveredTable extends CatalogTable {
  schema: string;
  kind: 'table' | 'view' | 'collection';
  /** The planner's estimate (pg reltuples, MySQL TABLE_ROWS, Mongo estimatedDocumentCount); null if unknown. */
  rowEstimate: number | null;
  columns: DiscoveredColumn[];
  foreignKeys: DiscoveredForeignKey[];
  indexes: DiscoveredIndex[];
}

export interface DiscoveredSchema {
  /** Postgres schemas, MySQL databases or MongoDB databases visible through the connection. */
  schemas: string[];
  tables: DiscoveredTable[];
}

export type RawSqlQuery = { sql: string; params?: unknown[] };
export type RawPipelineQuery = { collection: string; pipeline: unknown[] };
export type RawQuery = RawSqlQuery | RawPipelineQuery;

export interface RawQueryResult {
  rows: Record<string, unknown>[];
  /** True when the row cap cut the result. */
  truncated: boolean;
}

export interface ExecuteOptions {
  /** Attach the compiled query and the pushed-down / in-process split. */
  explain?: boolean;
}

export type LogicalQueryResult = QueryResult & { explain?: QueryExplanation };

export interface IDatabaseAdapter {
  readonly type: AdapterType;
  /** Open the pool and prove one round trip; throws on failure (the registry retries). */
  connect(): Promise<void>;
  /** Close the pool; safe to call twice. */
  disconnect(): Promise<void>;
  /** Never throws: a failed check is `{ ok: false, error }`. */
  testConnection(): Promise<ConnectionTestResult>;
  discoverSchema(): Promise<DiscoveredSchema>;
  executeLogicalQuery(query: LogicalQuery, options?: ExecuteOptions): Promise<LogicalQueryResult>;
  executeRawQuery(raw: RawQuery): Promise<RawQueryResult>;
}

export type AdapterFactory = (settings: ConnectionSettings) => IDatabaseAdapter;

export function isRawSqlQuery(raw: RawQuery): raw is RawSqlQuery {
  return typeof (raw as RawSqlQuery).sql === 'string';
}
