import type { AdapterType } from '../../../dataplane/src/adapters/adapter.js';
import { AppError } from '../../../dataplane/src/platform/errors.js';
import {
  defaultPort,
  parseConnectionUri,
} from '../../../dataplane/src/services/connections/connection-uri.js';
import type { ResolvedConnectionSpec } from '../resources/connection.schema.js';

/** A Connection resource with its credentials read from its Secret: what is registered and checked. */
export interface ConnectionDefinition {
  type: AdapterType;
  host: string;
  port: number;
  database: string;
  username: string | undefined;
  password: string | undefined;
  readOnly: boolean;
  tls: { rejectUnauthorized: boolean } | undefined;
  pool: { max: number; idleTimeoutSeconds: number };
}

/** The Secret cannot give what the Connection needs; `reason` becomes the Ready condition's reason. */
export class ConnectionSecretError extends Error {
  readonly code = 'connection_secret_invalid';
  constructor(
    readonly reason: 'SecretKeyMissing' | 'InvalidUri' | 'HostMissing' | 'DatabaseMissing',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Host, port, database and credentials from the spec and the Secret's `data` (base64). A URI
 * (`uriKey`) is checked by the dataplane's own parser (no query options, one host, no socket),
 * and the spec's host, port and database, when given, take precedence over it.
 */
export function connectionDefinition(
  spec: ResolvedConnectionSpec,
  secretName: string,
  secretData: Record<string, string> | undefined,
): ConnectionDefinition {
  const read = (key: string): string | undefined => {
    const value = secretData?.[key];
    return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
  };
  const required = (key: string): string => {
    const value = read(key);
    if (value === undefined)
      throw new ConnectionSecretError(
        'SecretKeyMissing',
        `Secret ${secretName} has no key ${JSON.stringify(key)}`,
      );
    return value;
  };
  const source = spec.credentials;
  let fromUri: ReturnType<typeof parseConnectionUri> | undefined;
  if (source.kind === 'uri') {
    try {
      fromUri = parseConnectionUri(spec.type, required(source.uriKey));
    } catch (error) {
      if (error instanceof ConnectionSecretError || !(error instanceof AppError)) throw error;
      // The dataplane's message names the problem, never the URI (it may hold a password).
      throw new ConnectionSecretError(
        'InvalidUri',
        `Secret ${secretName} key ${source.uriKey}: ${error.message}`,
      );
    }
  }
  const host = spec.host ?? fromUri?.host;
  const database = spec.database ?? fromUri?.database;
  if (!host)
    throw new ConnectionSecretError('HostMissing', 'The Connection names no host, and no URI gives one');
  if (!database)
    throw new ConnectionSecretError(
      'DatabaseMissing',
      'The Connection names no database, and no URI gives one',
    );
  return {
    type: spec.type,
    host,
    port: spec.port ?? fromUri?.port ?? defaultPort(spec.type),
    database,
    username: source.kind === 'uri' ? fromUri?.username : read(source.usernameKey),
    password: source.kind === 'uri' ? fromUri?.password : read(source.passwordKey),
    readOnly: spec.readOnly,
    tls: spec.tls,
    pool: spec.pool,
  };
}
