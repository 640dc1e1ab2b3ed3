import { randomBytes } from 'node:crypto';
import type { OperatorConfig } from '../config.js';
import { tenantSchemaName } from '../names.js';
import { passwordOfUrl, tenantDatabaseUrl } from '../provision/tenant-database-url.js';
import type { Workspace } from '../resources/workspace.schema.js';

/** The keys of the tenant's Secret, each one an environment variable of the dataplane. */
export interface TenantSecretData {
  DATABASE_URL: string;
  JWT_SECRET: string;
  LT_MASTER_KEY: string;
  LT_OWNER_EMAIL: string;
  /** The Redis the dataplanes share, when there is one: it may carry a password. */
  REDIS_URL?: string;
}

export interface TenantSecretValues {
  data: TenantSecretData;
  /** The tenant role's password (inside DATABASE_URL), for provisioning. */
  password: string;
  /** Keys given a new random value now (empty when an existing Secret had them all). */
  generated: (keyof TenantSecretData)[];
}

/** The dataplane's own checks of JWT_SECRET (>= 32 characters) and LT_MASTER_KEY (base64 of 32 bytes). */
const JWT_SECRET_OK = (v: string) => v.length >= 32;
const MASTER_KEY_OK = (v: string) => /^[A-Za-z0-9+/]{43}=$/.test(v);

/** Decodes a Secret's `data` (base64 values). */
export function decodeSecretData(data: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
}

/**
 * The Secret's values: generated once, then taken from the existing Secret while it exists (a
 * reconcile never rotates them). DATABASE_URL is recomputed around the kept password, so a new
 * TENANT_DATABASE_HOST reaches the pods without a new password.
 */
export function resolveSecretValues(
  workspace: Pick<Workspace, 'metadata' | 'spec'>,
  config: Pick<OperatorConfig, 'platformDatabaseUrl' | 'tenantDatabase' | 'redisUrl'>,
  existing: Record<string, string> | undefined,
  random: (bytes: number) => Buffer = randomBytes,
): TenantSecretValues {
  const kept = decodeSecretData(existing);
  const generated: (keyof TenantSecretData)[] = [];
  const keep = (key: keyof TenantSecretData, ok: (v: string) => boolean, make: () => string): string => {
    const value = kept[key];
    if (value !== undefined && ok(value)) return value;
    generated.push(key);
    return make();
  };
  const role = tenantSchemaName(workspace.metadata.name);
  let password = passwordOfUrl(kept.DATABASE_URL);
  if (!password) {
    password = random(32).toString('base64url');
    generated.push('DATABASE_URL');
  }
  const data: TenantSecretData = {
    DATABASE_URL: tenantDatabaseUrl(config.platformDatabaseUrl, config.tenantDatabase, role, password),
    JWT_SECRET: keep('JWT_SECRET', JWT_SECRET_OK, () => random(48).toString('base64url')),
    LT_MASTER_KEY: keep('LT_MASTER_KEY', MASTER_KEY_OK, () => random(32).toString('base64')),
    LT_OWNER_EMAIL: workspace.spec.owner.email,
    ...(config.redisUrl ? { REDIS_URL: config.redisUrl } : {}),
  };
  return { data, password, generated };
}
