import path from 'node:path';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  ATTACHMENT_SECRETS,
  attachmentEnv,
  readAttachmentConfig,
  type AttachmentConfig,
} from './attachments.config.js';
import { ConfigError } from './config-error.js';
import {
  PRIVATE_RANGES,
  readSecurityConfig,
  SECURITY_SECRETS,
  securityEnv,
  type AwsKmsConfig,
  type ConnectionRules,
  type KmsConfig,
  type VaultKmsConfig,
} from './security.config.js';

/**
 * Every environment variable the dataplane reads, with its default. `.env.example` documents the
 * same list (a unit test keeps the two in step). Numbers and booleans arrive as strings and are
 * converted here, so the rest of the code sees typed values only.
 */
const Env = {
  PORT: {
    schema: Type.Integer({ minimum: 0, maximum: 65535 }),
    default: '8080',
    doc: 'TCP port to listen on (0 = any free port)',
  },
  HOST: { schema: Type.String({ minLength: 1 }), default: '0.0.0.0', doc: 'interface to listen on' },
  DATABASE_URL: {
    schema: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
    doc: 'PostgreSQL URL; unset = embedded PostgreSQL under LT_DATA_DIR',
  },
  REDIS_URL: {
    schema: Type.Optional(Type.String({ pattern: '^rediss?://' })),
    doc: 'Redis URL; unset = in-process bus, cache, rate limiter and presence',
  },
  LT_WORKSPACE: {
    schema: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{1,39}$' })),
    doc: 'tenant mode: slug of the one workspace this process serves',
  },
  LT_SCHEMA: {
    schema: Type.Optional(Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$' })),
    doc: 'tenant mode: the tenant schema (default lt_ws_<LT_WORKSPACE>)',
  },
  LT_OWNER_EMAIL: {
    // A pattern, not format: 'email': TypeBox's Value.Check rejects formats it has no checker for.
    schema: Type.Optional(Type.String({ pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$', maxLength: 254 })),
    doc: 'tenant mode: the workspace owner; becomes owner on sign-up or at start if registered',
  },
  LT_DISPLAY_NAME: {
    schema: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    doc: 'tenant mode: display name of the workspace',
  },
  LT_DATA_DIR: {
    schema: Type.String({ minLength: 1 }),
    default: '.data',
    doc: 'standalone: where embedded PostgreSQL and generated secrets live',
  },
  EMBEDDED_PG_PORT: {
    schema: Type.Integer({ minimum: 1, maximum: 65535 }),
    default: '54329',
    doc: 'standalone: port of the embedded PostgreSQL',
  },
  JWT_SECRET: {
    schema: Type.Optional(Type.String({ minLength: 32 })),
    doc: 'HMAC key for access tokens (>= 32 chars); required in tenant mode and production',
  },
  LT_MASTER_KEY: {
    schema: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$' })),
    doc: 'base64 32-byte key of the local KMS provider; generated in standalone',
  },
  ...securityEnv,
  LOG_LEVEL: {
    schema: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    ),
    default: 'info',
    doc: 'pino log level',
  },
  NODE_ENV: { schema: Type.String(), default: 'development', doc: 'production makes JWT_SECRET mandatory' },
  DB_POOL_MAX: {
    schema: Type.Integer({ minimum: 1, maximum: 500 }),
    default: '10',
    doc: 'PostgreSQL pool size',
  },
  DB_STATEMENT_TIMEOUT_MS: {
    schema: Type.Integer({ minimum: 0 }),
    default: '30000',
    doc: 'statement_timeout of every pooled connection (0 = none)',
  },
  BCRYPT_COST: {
    schema: Type.Integer({ minimum: 4, maximum: 15 }),
    default: '12',
    doc: 'bcrypt cost factor for password hashes',
  },
  ACCESS_TOKEN_TTL_SECONDS: {
    schema: Type.Integer({ minimum: 10, maximum: 86400 }),
    default: '900',
    doc: 'lifetime of JWT access tokens',
  },
  REFRESH_TOKEN_TTL_DAYS: {
    schema: Type.Integer({ minimum: 1, maximum: 365 }),
    default: '30',
    doc: 'lifetime of refresh tokens (sessions idle longer than this end)',
  },
  LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: {
    schema: Type.Integer({ minimum: 1 }),
    default: '30',
    doc: 'login attempts one IP may make per minute',
  },
  LOGIN_FREE_FAILURES: {
    schema: Type.Integer({ minimum: 1 }),
    default: '5',
    doc: 'failed logins per account before back-off starts (then 1s, 2s, 4s ... up to 15 min)',
  },
  BODY_LIMIT_BYTES: {
    schema: Type.Integer({ minimum: 1024 }),
    default: '1048576',
    doc: 'largest accepted JSON body',
  },
  ...attachmentEnv,
  SHUTDOWN_TIMEOUT_MS: {
    schema: Type.Integer({ minimum: 0 }),
    default: '10000',
    doc: 'how long SIGTERM waits for in-flight requests',
  },
  TRUST_PROXY: {
    schema: Type.Boolean(),
    default: 'false',
    doc: 'take the client IP from X-Forwarded-For (behind an ingress)',
  },
  LT_PUBLIC_API_WARM_TOP: {
    schema: Type.Integer({ minimum: 0, maximum: 1000 }),
    default: '20',
    doc: 'public view APIs: how many of the most used queries the cache warmer refreshes before they expire (0 = none)',
  },
  LT_PRESENCE_IDLE_SECONDS: {
    schema: Type.Integer({ minimum: 1, maximum: 86400 }),
    default: '60',
    doc: 'realtime presence: seconds without activity before a user shows as idle',
  },
  LT_PRESENCE_AWAY_SECONDS: {
    schema: Type.Integer({ minimum: 2, maximum: 86400 }),
    default: '300',
    doc: 'realtime presence: seconds without activity before a user shows as away (more than the idle time)',
  },
} satisfies Record<string, { schema: TSchema; default?: string; doc: string }>;

export type EnvName = keyof typeof Env;
export const envVariables = Env;

type EnvValues = { [K in EnvName]: Static<(typeof Env)[K]['schema']> };

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Set in tenant mode: the one workspace served. */
  tenant: { slug: string; schema: string; ownerEmail: string | undefined; displayName: string } | undefined;
  dataDir: string;
  embeddedPgPort: number;
  jwtSecret: string | undefined;
  masterKey: string | undefined;
  kms: KmsConfig;
  /** Addresses external connections may (allow) and may not (deny) reach: CIDRs and host names. */
  connections: ConnectionRules;
  logLevel: string;
  production: boolean;
  db: { poolMax: number; statementTimeoutMs: number };
  auth: {
    bcryptCost: number;
    accessTokenTtlSeconds: number;
    refreshTokenTtlDays: number;
    loginAttemptsPerIpPerMinute: number;
    loginFreeFailures: number;
  };
  bodyLimitBytes: number;
  /** Attachment uploads: their size limit, and the S3-compatible store when one is configured. */
  attachments: AttachmentConfig;
  shutdownTimeoutMs: number;
  trustProxy: boolean;
  /** Public view APIs: queries the cache warmer keeps fresh (0: no warming). */
  publicApi: { warmTop: number };
  presence: { idleAfterMs: number; awayAfterMs: number };
}

export { ConfigError };
export { PRIVATE_RANGES, type AwsKmsConfig, type ConnectionRules, type KmsConfig, type VaultKmsConfig };

/** Value.Convert would read "1e3" as 1 and "80.5" as 80; integers must be written as integers. */
const INTEGER = /^\s*-?\d+\s*$/;
/** Their values may hold credentials, so error messages never repeat them. */
const SECRET: ReadonlySet<EnvName> = new Set([
  'DATABASE_URL',
  'REDIS_URL',
  'JWT_SECRET',
  'LT_MASTER_KEY',
  ...SECURITY_SECRETS,
  ...ATTACHMENT_SECRETS,
]);

function readOne(name: EnvName, raw: string | undefined): unknown {
  const spec = Env[name];
  const text = raw === undefined || raw === '' ? ('default' in spec ? spec.default : undefined) : raw;
  if (text === undefined) return undefined;
  const value = Value.Convert(spec.schema, text);
  const integerOk = spec.schema.type !== 'integer' || INTEGER.test(text);
  if (!Value.Check(spec.schema, value) || !integerOk) {
    const shown = SECRET.has(name) ? '(value hidden)' : JSON.stringify(text);
    throw new ConfigError(`${name}=${shown} is invalid: expected ${spec.doc}${describe(spec.schema)}`);
  }
  return value;
}

function describe(schema: TSchema): string {
  if (Array.isArray(schema.anyOf)) {
    return ` (one of ${(schema.anyOf as TSchema[]).map((s) => String(s.const)).join(', ')})`;
  }
  const hints = ['minimum', 'maximum', 'minLength', 'pattern']
    .filter((k) => schema[k] !== undefined)
    .map((k) => `${k} ${schema[k]}`);
  const type = schema.type ? ` (${schema.type}${hints.length ? ', ' + hints.join(', ') : ''})` : '';
  return type;
}

/** Reads and validates the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const v = Object.fromEntries(
    (Object.keys(Env) as EnvName[]).map((name) => [name, readOne(name, env[name])]),
  ) as EnvValues;
  const production = v.NODE_ENV === 'production';
  if (!v.LT_WORKSPACE && v.LT_SCHEMA)
    throw new ConfigError('LT_SCHEMA is set but LT_WORKSPACE is not: LT_SCHEMA only applies in tenant mode');
  if ((v.LT_WORKSPACE || production) && !v.JWT_SECRET) {
    throw new ConfigError(
      'JWT_SECRET is required in tenant mode and when NODE_ENV=production (at least 32 characters)',
    );
  }
  if (v.LT_WORKSPACE && !v.DATABASE_URL)
    throw new ConfigError('DATABASE_URL is required in tenant mode (LT_WORKSPACE is set)');
  if (v.LT_PRESENCE_AWAY_SECONDS <= v.LT_PRESENCE_IDLE_SECONDS)
    throw new ConfigError('LT_PRESENCE_AWAY_SECONDS must be more than LT_PRESENCE_IDLE_SECONDS');
  return {
    port: v.PORT,
    host: v.HOST,
    databaseUrl: v.DATABASE_URL,
    redisUrl: v.REDIS_URL,
    tenant: v.LT_WORKSPACE
      ? {
          slug: v.LT_WORKSPACE,
          schema: v.LT_SCHEMA ?? `lt_ws_${v.LT_WORKSPACE.replaceAll('-', '_')}`,
          ownerEmail: v.LT_OWNER_EMAIL?.toLowerCase(),
          displayName: v.LT_DISPLAY_NAME ?? v.LT_WORKSPACE,
        }
      : undefined,
    dataDir: path.resolve(v.LT_DATA_DIR),
    embeddedPgPort: v.EMBEDDED_PG_PORT,
    jwtSecret: v.JWT_SECRET,
    masterKey: v.LT_MASTER_KEY,
    ...readSecurityConfig(v, v.LT_WORKSPACE !== undefined),
    logLevel: v.LOG_LEVEL,
    production,
    db: { poolMax: v.DB_POOL_MAX, statementTimeoutMs: v.DB_STATEMENT_TIMEOUT_MS },
    auth: {
      bcryptCost: v.BCRYPT_COST,
      accessTokenTtlSeconds: v.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: v.REFRESH_TOKEN_TTL_DAYS,
      loginAttemptsPerIpPerMinute: v.LOGIN_ATTEMPTS_PER_IP_PER_MINUTE,
      loginFreeFailures: v.LOGIN_FREE_FAILURES,
    },
    bodyLimitBytes: v.BODY_LIMIT_BYTES,
    ...readAttachmentConfig(v),
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    trustProxy: v.TRUST_PROXY,
    publicApi: { warmTop: v.LT_PUBLIC_API_WARM_TOP },
    presence: {
      idleAfterMs: v.LT_PRESENCE_IDLE_SECONDS * 1000,
      awayAfterMs: v.LT_PRESENCE_AWAY_SECONDS * 1000,
    },
  };
}
