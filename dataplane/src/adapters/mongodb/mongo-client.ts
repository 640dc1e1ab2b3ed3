import { MongoClient, type MongoClientOptions } from 'mongodb';
import type { ConnectionSettings } from '../adapter.js';

/**
 * A MongoClient for one connection. `directConnection` is always on: the driver talks only to
 * the address the SSRF guard vetted, and never follows a replica set's member list (those
 * hosts were not checked). Credentials go in as options, never into a URI or a message.
 */
export interface MongoClientSettings {
  /** Where users are defined. Default 'admin'. */
  authSource?: string;
  /** Time to find the server and open a connection (ms). Default 10 000. */
  connectTimeoutMs?: number;
  /** Reported to the server (`appName` in its logs and currentOp). Default 'live-tables'. */
  appName?: string;
}

function tlsOptions(s: ConnectionSettings): MongoClientOptions {
  if (!s.ssl) return { tls: false };
  const extra = s.ssl === true ? {} : s.ssl;
  return {
    tls: true,
    tlsAllowInvalidCertificates: extra.rejectUnauthorized === false,
    ...(extra.ca ? { ca: extra.ca } : {}),
    ...(s.servername ? { servername: s.servername } : {}),
  };
}

export function createMongoClient(s: ConnectionSettings, options: MongoClientSettings = {}): MongoClient {
  const host = s.host.includes(':') && !s.host.startsWith('[') ? `[${s.host}]` : s.host;
  const connectTimeoutMS = options.connectTimeoutMs ?? 10_000;
  return new MongoClient(`mongodb://${host}:${s.port}/`, {
    directConnection: true,
    appName: options.appName ?? 'live-tables',
    maxPoolSize: s.pool.max,
    maxIdleTimeMS: s.pool.idleMs,
    connectTimeoutMS,
    serverSelectionTimeoutMS: connectTimeoutMS,
    retryWrites: false,
    ...(s.username
      ? {
          auth: { username: s.username, password: s.password ?? '' },
          authSource: options.authSource ?? 'admin',
        }
      : {}),
    ...tlsOptions(s),
  });
}
