import net from 'node:net';
import mysql from 'mysql2/promise';
import type { PoolConnection as CorePoolConnection } from 'mysql2';
import type { ConnectionSettings } from '../adapter.js';

export interface MysqlPoolOptions {
  connectTimeoutMs?: number;
  applicationName?: string;
}

/**
 * A mysql2 pool for one connection: no LOCAL INFILE (the flag is removed from the handshake and
 * no stream factory is given), one statement per query, DATE as its text, DATETIME read as UTC,
 * big integers exact (number while safe, string beyond 2^53), DECIMAL as exact text.
 * With `servername`, the socket goes to the vetted address and TLS checks the name.
 */
export function createMysqlPool(s: ConnectionSettings, options: MysqlPoolOptions = {}): mysql.Pool {
  const viaAddress = s.servername !== undefined && s.servername !== s.host;
  const pool = mysql.createPool({
    host: viaAddress ? s.servername : s.host,
    port: s.port,
    ...(viaAddress ? { stream: () => openSocket(s.host, s.port) } : {}),
    database: s.database,
    user: s.username,
    password: s.password,
    ssl: sslOptions(s),
    connectionLimit: s.pool.max,
    maxIdle: s.pool.max,
    idleTimeout: s.pool.idleMs,
    waitForConnections: true,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    multipleStatements: false,
    flags: ['-LOCAL_FILES'],
    dateStrings: ['DATE'],
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: false,
    enableKeepAlive: true,
    connectAttributes: { program_name: options.applicationName ?? 'live-tables' },
  });
  pool.pool.on('connection', (conn) => prepareSession(conn, s));
  return pool;
}

/**
 * Runs on every new pooled connection, whoever acquires it: the commands
 * queue on the connection ahead of the first query. A session that cannot be prepared is
 * destroyed rather than used without its limits.
 */
function prepareSession(conn: CorePoolConnection, s: ConnectionSettings): void {
  const version = (conn as unknown as { _handshakePacket?: { serverVersion?: string } })._handshakePacket;
  for (const { sql, values } of sessionSetup(version?.serverVersion ?? '', s)) {
    conn.query(sql, values, (error) => {
      if (error) conn.destroy();
    });
  }
}

function openSocket(host: string, port: number): net.Socket {
  const socket = net.connect(port, host);
  socket.setNoDelay(true);
  socket.setKeepAlive(true);
  return socket;
}

function sslOptions(s: ConnectionSettings): mysql.PoolOptions['ssl'] {
  if (!s.ssl) return undefined;
  const extra = s.ssl === true ? {} : s.ssl;
  const verify = extra.rejectUnauthorized ?? true;
  return { rejectUnauthorized: verify, verifyIdentity: verify, ...(extra.ca ? { ca: extra.ca } : {}) };
}

/**
 * Statements that prepare a fresh session: UTC (the SQL compiler renders times assuming it),
 * the connection's statement timeout in the server flavour's own variable, and on a read-only
 * connection READ ONLY as the session's transaction mode (LQP statements run without an
 * explicit transaction around them).
 */
export function sessionSetup(
  serverVersion: string,
  s: Pick<ConnectionSettings, 'statementTimeoutMs' | 'readOnly'>,
): { sql: string; values: unknown[] }[] {
  const setup = [{ sql: "SET time_zone = '+00:00'", values: [] as unknown[] }];
  if (s.readOnly) setup.push({ sql: 'SET SESSION TRANSACTION READ ONLY', values: [] });
  if (!s.statementTimeoutMs) return setup;
  setup.push(
    /mariadb/i.test(serverVersion)
      ? { sql: 'SET SESSION max_statement_time = ?', values: [s.statementTimeoutMs / 1000] }
      : { sql: 'SET SESSION MAX_EXECUTION_TIME = ?', values: [s.statementTimeoutMs] },
  );
  return setup;
}
