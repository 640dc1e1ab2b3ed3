import { envList } from '../../dataplane/src/platform/env-list.js';
import { hostname } from 'node:os';
import { Type } from '@sinclair/typebox';
import { ConfigError } from '../../dataplane/src/platform/config-error.js';
import { parseCidr } from '../../dataplane/src/platform/ssrf/cidr.js';
import { isHostPattern } from '../../dataplane/src/platform/ssrf/host-syntax.js';
import { readEnvTable, type EnvTable } from './env-table.js';
import { ResourceRequirements } from './resources/resource-requirements.schema.js';

const DNS_LABEL = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Every environment variable the operator reads (operator/README.md, _Configuration_), with its
 * default. Numbers arrive as text and are converted here; the rest of the operator sees typed
 * values only.
 */
export const operatorEnv = {
  PLATFORM_DATABASE_URL: {
    schema: Type.String({ pattern: '^postgres(ql)?://' }),
    doc: 'PostgreSQL URL the operator provisions tenants on (a role with CREATEROLE and CREATE)',
    secret: true,
  },
  TENANT_DATABASE_HOST: {
    schema: Type.Optional(Type.String({ pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$' })),
    doc: "host[:port] the tenants' DATABASE_URL names, when not the platform URL's",
  },
  REDIS_URL: {
    schema: Type.Optional(Type.String({ pattern: '^rediss?://' })),
    doc: 'Redis URL passed to every dataplane Deployment',
    secret: true,
  },
  DATAPLANE_IMAGE: {
    schema: Type.String({ minLength: 1, pattern: '^\\S+$' }),
    doc: 'the dataplane image',
  },
  DATAPLANE_RESOURCES: {
    schema: ResourceRequirements,
    default: '{}',
    json: true,
    doc: 'JSON {requests, limits} of cpu and memory when a Workspace gives none',
  },
  WATCH_NAMESPACE: {
    schema: Type.Optional(Type.String({ pattern: DNS_LABEL })),
    doc: 'the one namespace to watch (unset: all)',
  },
  POD_NAMESPACE: {
    schema: Type.String({ pattern: DNS_LABEL }),
    default: 'default',
    doc: 'where the Lease lives',
  },
  POD_NAME: {
    schema: Type.String({ minLength: 1 }),
    default: () => hostname(),
    doc: "this replica's identity",
  },
  INGRESS_NAMESPACE: {
    schema: Type.String({ pattern: DNS_LABEL }),
    default: 'ingress-nginx',
    doc: "the ingress controller's namespace (NetworkPolicy)",
  },
  EGRESS_DATABASE_CIDR: {
    schema: Type.String({ minLength: 1 }),
    default: '0.0.0.0/0',
    doc: 'CIDR tenant pods may reach PostgreSQL in',
  },
  EGRESS_REDIS_CIDR: {
    schema: Type.String({ minLength: 1 }),
    default: '0.0.0.0/0',
    doc: 'CIDR tenant pods may reach Redis in',
  },
  METRICS_PORT: {
    schema: Type.Integer({ minimum: 0, maximum: 65535 }),
    default: '8081',
    doc: 'port of /metrics, /healthz and /readyz (0 = any free port)',
  },
  RESYNC_SECONDS: {
    schema: Type.Integer({ minimum: 1 }),
    default: '600',
    doc: 'seconds between full resyncs of every object',
  },
  LEASE_DURATION_SECONDS: {
    schema: Type.Integer({ minimum: 1 }),
    default: '15',
    doc: 'seconds a leader Lease lasts unless renewed',
  },
  CONNECTION_RECHECK_SECONDS: {
    schema: Type.Integer({ minimum: 1 }),
    default: '300',
    doc: "seconds between checks of a Connection's reachability",
  },
  CONNECTION_ALLOW: {
    schema: Type.Optional(Type.String()),
    doc: 'Connections: CIDRs, addresses and host names (*.example.com) admitted despite the guards (as LT_CONNECTION_ALLOW)',
  },
  CONNECTION_DENY: {
    schema: Type.Optional(Type.String()),
    doc: 'Connections: CIDRs refused on top of the built-in ranges (unset: none)',
  },
  LOG_LEVEL: {
    schema: Type.Union(LEVELS.map((l) => Type.Literal(l))),
    default: 'info',
    doc: 'pino log level',
  },
} satisfies EnvTable;

export type OperatorEnvName = keyof typeof operatorEnv;

/** A host and port a tenant pod may connect to. */
export interface HostPort {
  host: string;
  port: number;
}

export interface OperatorConfig {
  platformDatabaseUrl: string;
  /** What tenants' DATABASE_URL names: TENANT_DATABASE_HOST, else the platform URL's host and port. */
  tenantDatabase: HostPort;
  redisUrl: string | undefined;
  dataplane: { image: string; resources: ResourceRequirements };
  watchNamespace: string | undefined;
  pod: { namespace: string; name: string };
  ingressNamespace: string;
  /** Where tenant pods may connect for PostgreSQL and Redis (Redis undefined without REDIS_URL). */
  egress: { database: { cidr: string; port: number }; redis: { cidr: string; port: number } | undefined };
  metricsPort: number;
  resyncSeconds: number;
  leaseDurationSeconds: number;
  connectionRecheckSeconds: number;
  /** The SSRF guard's lists for Connections (docs/adr/0016). */
  connections: { allow: string[]; deny: string[] };
  logLevel: string;
}

/** A CIDR as a NetworkPolicy ipBlock takes it: a bare address becomes a /32 or /128. */
function cidr(name: OperatorEnvName, text: string): string {
  const parsed = parseCidr(text);
  if (!parsed)
    throw new ConfigError(`${name}=${JSON.stringify(text)} is invalid: expected a CIDR such as 10.0.0.0/8`);
  return text.includes('/') ? text.trim() : `${text.trim()}/${parsed.network.family === 4 ? 32 : 128}`;
}

function port(name: OperatorEnvName, text: string, fallback: number): number {
  if (!text) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65535)
    throw new ConfigError(`${name}: port ${JSON.stringify(text)} is not a TCP port`);
  return value;
}

function platformHostPort(url: string): HostPort {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('PLATFORM_DATABASE_URL=(value hidden) is invalid: expected a postgres:// URL');
  }
  if (!parsed.hostname)
    throw new ConfigError('PLATFORM_DATABASE_URL must name a host: tenants reach it over TCP');
  return { host: parsed.hostname, port: port('PLATFORM_DATABASE_URL', parsed.port, 5432) };
}

function tenantHostPort(text: string): HostPort {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(text) as RegExpExecArray;
  return { host: match[1] as string, port: port('TENANT_DATABASE_HOST', match[2] ?? '', 5432) };
}

function redisPort(url: string): number {
  try {
    return port('REDIS_URL', new URL(url).port, 6379);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError('REDIS_URL=(value hidden) is invalid: expected a redis:// URL');
  }
}

/** Reads and validates the environment; throws ConfigError naming the first bad variable. */
export function loadOperatorConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const v = readEnvTable(operatorEnv, env);
  const platform = platformHostPort(v.PLATFORM_DATABASE_URL);
  const tenantDatabase = v.TENANT_DATABASE_HOST ? tenantHostPort(v.TENANT_DATABASE_HOST) : platform;
  return {
    platformDatabaseUrl: v.PLATFORM_DATABASE_URL,
    tenantDatabase,
    redisUrl: v.REDIS_URL,
    dataplane: { image: v.DATAPLANE_IMAGE, resources: v.DATAPLANE_RESOURCES },
    watchNamespace: v.WATCH_NAMESPACE,
    pod: { namespace: v.POD_NAMESPACE, name: v.POD_NAME },
    ingressNamespace: v.INGRESS_NAMESPACE,
    egress: {
      database: { cidr: cidr('EGRESS_DATABASE_CIDR', v.EGRESS_DATABASE_CIDR), port: tenantDatabase.port },
      redis: v.REDIS_URL
        ? { cidr: cidr('EGRESS_REDIS_CIDR', v.EGRESS_REDIS_CIDR), port: redisPort(v.REDIS_URL) }
        : undefined,
    },
    metricsPort: v.METRICS_PORT,
    resyncSeconds: v.RESYNC_SECONDS,
    leaseDurationSeconds: v.LEASE_DURATION_SECONDS,
    connectionRecheckSeconds: v.CONNECTION_RECHECK_SECONDS,
    connections: {
      allow: envList('CONNECTION_ALLOW', v.CONNECTION_ALLOW, (e) => !!parseCidr(e) || isHostPattern(e)),
      deny: envList('CONNECTION_DENY', v.CONNECTION_DENY, (e) => !!parseCidr(e)),
    },
    logLevel: v.LOG_LEVEL,
  };
}

/** What a process entry needs: EX_CONFIG (78) with the variable named, never a secret value. */
export const EXIT_CONFIG = 78;

export function loadOperatorConfigOrExit(
  env: NodeJS.ProcessEnv = process.env,
  exit: (code: number) => never = (code) => process.exit(code),
  write: (text: string) => void = (text) => void process.stderr.write(text),
): OperatorConfig {
  try {
    return loadOperatorConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    write(`live-tables-operator: configuration error: ${error.message}\n`);
    return exit(EXIT_CONFIG);
  }
}

export { ConfigError };
