import { lookup } from 'node:dns/promises';
import type { Config } from '../config.js';
import { parseCidr, type Cidr } from './cidr.js';
import { canonicalHost, isHostPattern } from './host-syntax.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Looks a host name up: every address, in the resolver's order. */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

export interface SsrfPolicyOptions {
  /** CIDRs, addresses and host names (`*.example.com` for subdomains) admitted despite every rule. */
  allow?: readonly string[];
  /** CIDRs refused on top of the built-in ranges (loopback, link-local, metadata ...). */
  deny?: readonly string[];
  /** Host names or addresses of the platform's own Postgres and Redis. */
  platformHosts?: readonly string[];
  /** Injectable for tests; the system resolver (getaddrinfo, as drivers use) by default. */
  resolve?: Resolver;
}

/** A validated, parsed policy; build it once and share it. */
export interface SsrfPolicy {
  readonly allowNets: readonly Cidr[];
  readonly allowHosts: readonly string[];
  readonly denyNets: readonly Cidr[];
  readonly platformHosts: readonly string[];
  readonly resolve: Resolver;
}

/** Throws on an entry that is neither a CIDR nor (for allow) a host name pattern. */
export function createSsrfPolicy(options: SsrfPolicyOptions = {}): SsrfPolicy {
  const allowNets: Cidr[] = [];
  const allowHosts: string[] = [];
  for (const entry of options.allow ?? []) {
    const cidr = parseCidr(entry);
    if (cidr) allowNets.push(cidr);
    else if (isHostPattern(entry)) allowHosts.push(entry.toLowerCase());
    else throw new Error(`allow list entry ${JSON.stringify(entry)} is not a CIDR, address or host name`);
  }
  const denyNets = (options.deny ?? []).map((entry) => {
    const cidr = parseCidr(entry);
    if (!cidr) throw new Error(`deny list entry ${JSON.stringify(entry)} is not a CIDR or address`);
    return cidr;
  });
  return {
    allowNets,
    allowHosts,
    denyNets,
    platformHosts: (options.platformHosts ?? []).map(canonicalHost),
    resolve: options.resolve ?? systemResolver,
  };
}

/** The host of a URL, or undefined when there is none (embedded Postgres, in-process Redis). */
function urlHost(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}

/** The policy the configuration describes; the platform hosts come from DATABASE_URL and REDIS_URL. */
export function ssrfPolicyFromConfig(
  config: Pick<Config, 'connections' | 'databaseUrl' | 'redisUrl'>,
  resolve?: Resolver,
): SsrfPolicy {
  const platformHosts = [urlHost(config.databaseUrl), urlHost(config.redisUrl)].filter(
    (h): h is string => h !== undefined,
  );
  return createSsrfPolicy({ ...config.connections, platformHosts, ...(resolve ? { resolve } : {}) });
}
