import { HostNotAllowedError, ValidationError } from '../errors.js';
import { refusalReason, type Refusal } from './address-rules.js';
import { canonicalHost, hostMatchesPattern, hostSyntaxProblem, shownHost } from './host-syntax.js';
import { parseIp, type IpAddress } from './ip-address.js';
import type { ResolvedAddress, SsrfPolicy } from './ssrf-policy.js';

/** Where a driver connects: a checked address, plus the name to send as TLS SNI and verify. */
export interface CheckedTarget {
  address: string;
  family: 4 | 6;
  /** The host name as given (for TLS SNI and certificate checks); '' for an IP literal. */
  servername: string;
}

/** Carries the internal reason for logs; the client sees only the host it gave. */
function refused(host: string, reason: Refusal | string): HostNotAllowedError {
  return new HostNotAllowedError(
    `Connections to host ${shownHost(host)} are not allowed`,
    'host_not_allowed',
    reason,
  );
}

function isLocalhostName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost');
}

async function lookupAll(host: string, policy: SsrfPolicy): Promise<ResolvedAddress[]> {
  try {
    return await policy.resolve(host);
  } catch {
    return [];
  }
}

/** Every address the platform's own services answer on (their names resolved now). */
async function platformAddresses(policy: SsrfPolicy): Promise<IpAddress[]> {
  const lists = await Promise.all(
    policy.platformHosts.map(async (h) => {
      const literal = parseIp(h);
      return literal ? [literal] : (await lookupAll(h, policy)).map((r) => parseIp(r.address));
    }),
  );
  return lists.flat().filter((ip): ip is IpAddress => ip !== undefined);
}

/**
 * Resolves `host` once, checks every address it resolves to and returns one of them for the
 * driver to connect to, so a second lookup (DNS rebinding) can never lead somewhere unchecked.
 * Refuses with HostNotAllowedError (`host_not_allowed`, or `host_unresolvable`).
 */
export async function resolveAndCheckHost(
  host: string,
  port: number,
  policy: SsrfPolicy,
): Promise<CheckedTarget> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ValidationError('port: expected an integer from 1 to 65535', [
      { path: 'port', message: 'expected an integer from 1 to 65535' },
    ]);
  }
  const syntax = hostSyntaxProblem(host);
  if (syntax) throw refused(host, syntax);
  const name = canonicalHost(host);
  const literal = parseIp(host);
  const admittedByName = !literal && policy.allowHosts.some((p) => hostMatchesPattern(name, p));
  if (!literal && !admittedByName) {
    if (isLocalhostName(name)) throw refused(host, 'loopback');
    if (policy.platformHosts.includes(name)) throw refused(host, 'platform');
  }
  const resolved: ResolvedAddress[] = literal
    ? [{ address: name, family: literal.family }]
    : await lookupAll(name, policy);
  if (resolved.length === 0) {
    throw new HostNotAllowedError(`Host ${shownHost(host)} could not be resolved`, 'host_unresolvable');
  }
  const rules = { allow: policy.allowNets, deny: policy.denyNets, platform: await platformAddresses(policy) };
  let first: { address: string; ip: IpAddress } | undefined;
  for (const { address } of resolved) {
    const ip = parseIp(address);
    if (!ip) throw refused(host, 'unparsable address');
    const reason = refusalReason(ip, rules, admittedByName);
    if (reason) throw refused(host, reason);
    first ??= { address, ip };
  }
  const chosen = first as { address: string; ip: IpAddress };
  return { address: chosen.address, family: chosen.ip.family, servername: literal ? '' : name };
}
