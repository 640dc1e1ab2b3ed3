import type { AdapterType } from '../../adapters/adapter.js';

/** A row of `<workspace schema>.connections`, as knex returns it. */
export interface ConnectionRow {
  id: string;
  name: string;
  type: AdapterType;
  host: string;
  port: number;
  database: string;
  username: string | null;
  secret: string | null;
  read_only: boolean;
  allow_raw_queries: boolean;
  options: ConnectionOptions;
  status: 'unknown' | 'ok' | 'error';
  last_error: string | null;
  last_checked_at: Date | null;
  /** Who owns the definition: null (the API) or `operator` (a Connection resource). */
  managed_by: ConnectionManager | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Who may own a connection's definition besides the API. */
export type ConnectionManager = 'operator';

export interface ConnectionOptions {
  /** `true`: TLS with certificate verification; the object form (operator-managed) may turn it off. */
  tls?: boolean | { rejectUnauthorized: boolean };
  statementTimeoutMs?: number;
  rowCap?: number;
  pool?: { max?: number; idleMs?: number };
}

/** What the encrypted `secret` column holds. */
export interface ConnectionSecret {
  password?: string;
}

export interface ConnectionView {
  id: string;
  name: string;
  type: AdapterType;
  host: string;
  port: number;
  database: string;
  username: string | null;
  readOnly: boolean;
  allowRawQueries: boolean;
  options: ConnectionOptions;
  status: ConnectionRow['status'];
  lastError: string | null;
  lastCheckedAt: string | null;
  managedBy: ConnectionManager | null;
  createdAt: string;
  updatedAt: string;
}

/** The public shape: never a credential. */
export const toConnectionView = (r: ConnectionRow): ConnectionView => ({
  id: r.id,
  name: r.name,
  type: r.type,
  host: r.host,
  port: r.port,
  database: r.database,
  username: r.username,
  readOnly: r.read_only,
  allowRawQueries: r.allow_raw_queries,
  options: r.options,
  status: r.status,
  lastError: r.last_error,
  lastCheckedAt: r.last_checked_at?.toISOString() ?? null,
  managedBy: r.managed_by,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});
