import { envList } from './env-list.js';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ConfigError } from './config-error.js';
import { parseCidr } from './ssrf/cidr.js';
import { isHostPattern } from './ssrf/host-syntax.js';

/** A base64 32-byte key. */
const B64_KEY = '[A-Za-z0-9+/]{43}=';

/**
 * The environment variables of credential encryption (KMS providers) and of the SSRF guard of
 * external connections; config.ts merges them into its table after LT_MASTER_KEY.
 */
export const securityEnv = {
  LT_MASTER_KEYS_RETIRED: {
    schema: Type.Optional(Type.String({ pattern: `^${B64_KEY}(\\s*,\\s*${B64_KEY})*$` })),
    doc: 'earlier LT_MASTER_KEY values (comma-separated), kept to unwrap older data keys',
  },
  LT_KMS_PROVIDER: {
    schema: Type.Union(['local', 'aws', 'vault'].map((p) => Type.Literal(p))),
    default: 'local',
    doc: 'who wraps the per-workspace data keys that encrypt connection credentials',
  },
  AWS_REGION: {
    schema: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{2,32}$' })),
    doc: 'LT_KMS_PROVIDER=aws: region of the KMS key',
  },
  LT_AWS_KMS_KEY_ID: {
    schema: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    doc: 'LT_KMS_PROVIDER=aws: key id, key ARN or alias/<name> of the KMS key',
  },
  LT_AWS_KMS_ENDPOINT: {
    schema: Type.Optional(Type.String({ pattern: '^https?://' })),
    doc: 'LT_KMS_PROVIDER=aws: KMS endpoint (default https://kms.<AWS_REGION>.amazonaws.com)',
  },
  AWS_ACCESS_KEY_ID: {
    schema: Type.Optional(Type.String({ minLength: 1 })),
    doc: 'LT_KMS_PROVIDER=aws: access key id that signs KMS requests',
  },
  AWS_SECRET_ACCESS_KEY: {
    schema: Type.Optional(Type.String({ minLength: 1 })),
    doc: 'LT_KMS_PROVIDER=aws: secret access key that signs KMS requests',
  },
  AWS_SESSION_TOKEN: {
    schema: Type.Optional(Type.String({ minLength: 1 })),
    doc: 'LT_KMS_PROVIDER=aws: session token of temporary credentials',
  },
  VAULT_ADDR: {
    schema: Type.Optional(Type.String({ pattern: '^https?://' })),
    doc: 'LT_KMS_PROVIDER=vault: Vault address',
  },
  VAULT_TOKEN: {
    schema: Type.Optional(Type.String({ minLength: 1 })),
    doc: 'LT_KMS_PROVIDER=vault: token allowed to encrypt, decrypt and rewrap with the transit key',
  },
  LT_VAULT_TRANSIT_KEY: {
    schema: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,128}$' })),
    doc: 'LT_KMS_PROVIDER=vault: name of the transit key',
  },
  LT_VAULT_TRANSIT_MOUNT: {
    schema: Type.String({ pattern: '^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$' }),
    default: 'transit',
    doc: 'LT_KMS_PROVIDER=vault: mount path of the transit secrets engine',
  },
  LT_CONNECTION_ALLOW: {
    schema: Type.Optional(Type.String()),
    doc: 'external connections: CIDRs, addresses and host names (*.example.com) admitted despite the guards',
  },
  LT_CONNECTION_DENY: {
    schema: Type.Optional(Type.String()),
    doc: 'external connections: CIDRs refused (none = no list; default private ranges in tenant mode)',
  },
} satisfies Record<string, { schema: TSchema; default?: string; doc: string }>;

type SecurityEnvName = keyof typeof securityEnv;
type SecurityEnvValues = { [K in SecurityEnvName]: Static<(typeof securityEnv)[K]['schema']> };

/** Their values are credentials: error messages never repeat them. */
export const SECURITY_SECRETS: readonly SecurityEnvName[] = [
  'LT_MASTER_KEYS_RETIRED',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'VAULT_TOKEN',
];

export interface AwsKmsConfig {
  region: string;
  keyId: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | undefined;
}

export interface VaultKmsConfig {
  address: string;
  token: string;
  transitKey: string;
  mount: string;
}

export interface KmsConfig {
  provider: 'local' | 'aws' | 'vault';
  /** Earlier local master keys (base64), newest first, to unwrap data keys wrapped with them. */
  retiredMasterKeys: string[];
  /** Set when provider is aws. */
  aws: AwsKmsConfig | undefined;
  /** Set when provider is vault. */
  vault: VaultKmsConfig | undefined;
}

/** Denied by default in tenant mode: RFC 1918, carrier-grade NAT and IPv6 unique local. */
export const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'];

/** Addresses external connections may (allow) and may not (deny) reach: CIDRs and host names. */
export interface ConnectionRules {
  allow: string[];
  deny: string[];
}

/** The `kms` and `connections` members of Config; throws ConfigError naming what is wrong. */
export function readSecurityConfig(
  v: SecurityEnvValues,
  tenantMode: boolean,
): { kms: KmsConfig; connections: ConnectionRules } {
  return { kms: kmsConfig(v), connections: connectionRules(v, tenantMode) };
}

/** Names the variables a provider needs that are unset; throws if any is missing. */
function requireAll(provider: string, entries: [SecurityEnvName, string | undefined][]): void {
  const missing = entries.filter(([, value]) => !value).map(([name]) => name);
  if (missing.length > 0) throw new ConfigError(`LT_KMS_PROVIDER=${provider} requires ${missing.join(', ')}`);
}

function kmsConfig(v: SecurityEnvValues): KmsConfig {
  const provider = v.LT_KMS_PROVIDER as KmsConfig['provider'];
  const retiredMasterKeys = (v.LT_MASTER_KEYS_RETIRED ?? '').split(',').map((k) => k.trim());
  const config: KmsConfig = {
    provider,
    retiredMasterKeys: retiredMasterKeys.filter(Boolean),
    aws: undefined,
    vault: undefined,
  };
  if (provider === 'aws') {
    requireAll(provider, [
      ['AWS_REGION', v.AWS_REGION],
      ['LT_AWS_KMS_KEY_ID', v.LT_AWS_KMS_KEY_ID],
      ['AWS_ACCESS_KEY_ID', v.AWS_ACCESS_KEY_ID],
      ['AWS_SECRET_ACCESS_KEY', v.AWS_SECRET_ACCESS_KEY],
    ]);
    const region = v.AWS_REGION as string;
    config.aws = {
      region,
      keyId: v.LT_AWS_KMS_KEY_ID as string,
      endpoint: v.LT_AWS_KMS_ENDPOINT ?? `https://kms.${region}.amazonaws.com`,
      accessKeyId: v.AWS_ACCESS_KEY_ID as string,
      secretAccessKey: v.AWS_SECRET_ACCESS_KEY as string,
      sessionToken: v.AWS_SESSION_TOKEN,
    };
  }
  if (provider === 'vault') {
    requireAll(provider, [
      ['VAULT_ADDR', v.VAULT_ADDR],
      ['VAULT_TOKEN', v.VAULT_TOKEN],
      ['LT_VAULT_TRANSIT_KEY', v.LT_VAULT_TRANSIT_KEY],
    ]);
    config.vault = {
      address: v.VAULT_ADDR as string,
      token: v.VAULT_TOKEN as string,
      transitKey: v.LT_VAULT_TRANSIT_KEY as string,
      mount: v.LT_VAULT_TRANSIT_MOUNT,
    };
  }
  return config;
}

function connectionRules(v: SecurityEnvValues, tenantMode: boolean): ConnectionRules {
  const allow = envList(
    'LT_CONNECTION_ALLOW',
    v.LT_CONNECTION_ALLOW,
    (e) => !!parseCidr(e) || isHostPattern(e),
  );
  const rawDeny = v.LT_CONNECTION_DENY?.trim();
  if (rawDeny === 'none') return { allow, deny: [] };
  if (!rawDeny) return { allow, deny: tenantMode ? [...PRIVATE_RANGES] : [] };
  return { allow, deny: envList('LT_CONNECTION_DENY', rawDeny, (e) => !!parseCidr(e)) };
}
