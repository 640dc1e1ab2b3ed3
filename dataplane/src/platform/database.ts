import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

// int8 (count(*), bigserial, user bigint columns) as a number while exact, else its decimal text.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
});

export interface DatabaseOptions {
  connectionString: string;
  /** Unqualified table names resolve here first (the control schema). */
  searchPath: string;
  poolMax: number;
  statementTimeoutMs: number;
  applicationName?: string;
}

export interface Database {
  knex: Knex;
  options: DatabaseOptions;
  /** A standalone client outside the pool (advisory locks, LISTEN). Caller ends it. */
  connectDedicated(): Promise<pg.Client>;
  close(): Promise<void>;
}

function clientConfig(o: DatabaseOptions) {
  return {
    connectionString: o.connectionString,
    statement_timeout: o.statementTimeoutMs || undefined,
    application_name: o.applicationName ?? 'live-tables',
    // UTC sessions: day boundaries (isToday, date ranges) never follow the server's own zone.
    options: `-c search_path=${o.searchPath},public -c TimeZone=UTC`,
  };
}

export function createDatabase(options: DatabaseOptions): Database {
  const knex = knexFactory({
    client: 'pg',
    connection: clientConfig(options) as Knex.PgConnectionConfig,
    pool: { min: 0, max: options.poolMax, idleTimeoutMillis: 30_000 },
    acquireConnectionTimeout: 10_000,
  });
  return {
    knex,
    options,
    async connectDedicated() {
      const client = new pg.Client(clientConfig(options) as pg.ClientConfig);
      await client.connect();
      return client;
    },
    close: () => knex.destroy(),
  };
}

/** Serialises work across processes that share the database (start-up migrations). */
export async function withAdvisoryLock<T>(db: Database, key: string, fn: () => Promise<T>): Promise<T> {
  const client = await db.connectDedicated();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
    }
  } finally {
    await client.end();
  }
}
