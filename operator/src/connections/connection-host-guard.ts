import { hostGuard } from '../../../dataplane/src/services/connections/platform-ports.js';
import type { HostGuard } from '../../../dataplane/src/services/connections/ports.js';
import { createSsrfPolicy, type Resolver } from '../../../dataplane/src/platform/ssrf/ssrf-policy.js';
import type { OperatorConfig } from '../config.js';

function urlHost(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const host = new URL(url).hostname;
    return host ? [host] : [];
  } catch {
    return [];
  }
}

/**
 * The dataplane's SSRF guard as it applies to operator-managed connections (docs/adr/0016): the
 * check runs from the operator's pod, which reaches the platform's PostgreSQL and Redis, so those
 * hosts (the platform URL's, TENANT_DATABASE_HOST, REDIS_URL's), loopback, link-local, metadata
 * and reserved addresses are refused unless CONNECTION_ALLOW admits them. Private ranges are not
 * refused by default: in-cluster databases live there, and a Connection is written by someone
 * the cluster's RBAC trusts with the namespace. CONNECTION_DENY adds ranges.
 */
export function connectionHostGuard(
  config: Pick<OperatorConfig, 'connections' | 'platformDatabaseUrl' | 'tenantDatabase' | 'redisUrl'>,
  resolve?: Resolver,
): HostGuard {
  const tenantHost = config.tenantDatabase.host.replace(/^\[|\]$/g, '');
  const platformHosts = [
    ...new Set([...urlHost(config.platformDatabaseUrl), tenantHost, ...urlHost(config.redisUrl)]),
  ];
  return hostGuard(
    createSsrfPolicy({
      allow: config.connections.allow,
      deny: config.connections.deny,
      platformHosts,
      ...(resolve ? { resolve } : {}),
    }),
  );
}
