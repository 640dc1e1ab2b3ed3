import { Type, type Static } from '@sinclair/typebox';
import type { AdapterType } from '../../../dataplane/src/adapters/adapter.js';
import { Condition } from './condition.schema.js';
import { ObjectMeta } from './object-meta.schema.js';

const KeyName = Type.String({ pattern: '^[-._a-zA-Z0-9]+$', maxLength: 253 });
const SecretName = Type.String({ minLength: 1, maxLength: 253 });

/** Credentials as separate keys of a Secret (`username`/`password` unless named otherwise). */
const CredentialKeys = Type.Object(
  { name: SecretName, usernameKey: Type.Optional(KeyName), passwordKey: Type.Optional(KeyName) },
  { additionalProperties: false },
);
/** Or one key holding a connection URI (which then gives host, port, database and credentials). */
const CredentialUri = Type.Object({ name: SecretName, uriKey: KeyName }, { additionalProperties: false });

export const ConnectionSpec = Type.Object(
  {
    workspaceRef: Type.Object(
      { name: Type.String({ minLength: 1, maxLength: 40 }) },
      { additionalProperties: false },
    ),
    type: Type.Union([Type.Literal('postgres'), Type.Literal('mysql'), Type.Literal('mongodb')]),
    // The dataplane's own limit for a connection's host (connection.schema.ts of the HTTP API).
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 253, pattern: '^[^\\s/@]+$' })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    database: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    credentialsSecretRef: Type.Union([CredentialKeys, CredentialUri]),
    readOnly: Type.Optional(Type.Boolean()),
    tls: Type.Optional(
      Type.Object(
        { enabled: Type.Optional(Type.Boolean()), rejectUnauthorized: Type.Optional(Type.Boolean()) },
        { additionalProperties: false },
      ),
    ),
    pool: Type.Optional(
      Type.Object(
        {
          max: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
          idleTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ConnectionSpec = Static<typeof ConnectionSpec>;

export const ConnectionStatus = Type.Object({
  conditions: Type.Optional(Type.Array(Condition)),
  tables: Type.Optional(Type.Integer({ minimum: 0 })),
  lastCheckedAt: Type.Optional(Type.String()),
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0 })),
  connectionId: Type.Optional(Type.String()),
  /** Where the last check connected, once the operator's guard admitted the host. */
  target: Type.Optional(
    Type.Object({
      host: Type.String(),
      port: Type.Integer({ minimum: 1, maximum: 65535 }),
      addresses: Type.Array(Type.String()),
    }),
  ),
});
export type ConnectionStatus = Static<typeof ConnectionStatus>;

export const Connection = Type.Object({
  apiVersion: Type.Literal('livetables.dev/v1alpha1'),
  kind: Type.Literal('Connection'),
  metadata: ObjectMeta,
  spec: ConnectionSpec,
  status: Type.Optional(ConnectionStatus),
});
export type Connection = Static<typeof Connection>;

/** The condition types of a Connection's status. */
export const ConnectionCondition = { Ready: 'Ready', Reachable: 'Reachable' } as const;

export type CredentialSource =
  | { kind: 'keys'; secretName: string; usernameKey: string; passwordKey: string }
  | { kind: 'uri'; secretName: string; uriKey: string };

/** The spec with every default applied; host, port and database may still come from a URI. */
export interface ResolvedConnectionSpec {
  workspaceName: string;
  type: AdapterType;
  host: string | undefined;
  /** The spec's port; undefined when it gives none (the URI's, else the type's default). */
  port: number | undefined;
  database: string | undefined;
  credentials: CredentialSource;
  readOnly: boolean;
  /** Undefined: no TLS. */
  tls: { rejectUnauthorized: boolean } | undefined;
  pool: { max: number; idleTimeoutSeconds: number };
}

export const DEFAULT_POOL = { max: 5, idleTimeoutSeconds: 60 };

export function resolveConnectionSpec(spec: ConnectionSpec): ResolvedConnectionSpec {
  const ref = spec.credentialsSecretRef;
  const credentials: CredentialSource =
    'uriKey' in ref
      ? { kind: 'uri', secretName: ref.name, uriKey: ref.uriKey }
      : {
          kind: 'keys',
          secretName: ref.name,
          usernameKey: ref.usernameKey ?? 'username',
          passwordKey: ref.passwordKey ?? 'password',
        };
  return {
    workspaceName: spec.workspaceRef.name,
    type: spec.type,
    host: spec.host,
    port: spec.port,
    database: spec.database,
    credentials,
    readOnly: spec.readOnly ?? true,
    tls: spec.tls?.enabled ? { rejectUnauthorized: spec.tls.rejectUnauthorized ?? true } : undefined,
    pool: {
      max: spec.pool?.max ?? DEFAULT_POOL.max,
      idleTimeoutSeconds: spec.pool?.idleTimeoutSeconds ?? DEFAULT_POOL.idleTimeoutSeconds,
    },
  };
}
