import { cidrContains, parseCidr, type Cidr } from './cidr.js';
import { embeddedIpv4, sameAddress, type IpAddress } from './ip-address.js';

/** Why an address was refused; for logs and tests, never for the client. */
export type Refusal =
  'unspecified' | 'loopback' | 'link-local' | 'metadata' | 'multicast' | 'reserved' | 'platform' | 'denied';

function ranges(reason: Refusal, ...cidrs: string[]): [Cidr, Refusal][] {
  return cidrs.map((text) => [parseCidr(text) as Cidr, reason]);
}

/** Never admitted, whatever the allow list says: connecting to them means "this host". */
const NEVER: [Cidr, Refusal][] = ranges('unspecified', '0.0.0.0/32', '::/128');

/** Refused unless the allow list admits them. */
const BUILT_IN: [Cidr, Refusal][] = [
  ...ranges('reserved', '0.0.0.0/8', '240.0.0.0/4', '100::/64'),
  ...ranges('loopback', '127.0.0.0/8', '::1/128'),
  ...ranges('link-local', '169.254.0.0/16', 'fe80::/10'),
  // Cloud instance metadata outside the link-local ranges: AWS over IPv6, Alibaba Cloud.
  ...ranges('metadata', 'fd00:ec2::254/128', '100.100.100.200/32'),
  ...ranges('multicast', '224.0.0.0/4', 'ff00::/8'),
];

export interface AddressRules {
  allow: readonly Cidr[];
  deny: readonly Cidr[];
  /** Addresses of the platform's own Postgres and Redis. */
  platform: readonly IpAddress[];
}

/** The address and, for IPv6 forms that carry one, the IPv4 address packets really go to. */
function forms(ip: IpAddress): IpAddress[] {
  const inner = embeddedIpv4(ip);
  return inner ? [ip, inner] : [ip];
}

function firstMatch(table: [Cidr, Refusal][], ips: IpAddress[]): Refusal | undefined {
  for (const ip of ips) for (const [cidr, reason] of table) if (cidrContains(cidr, ip)) return reason;
  return undefined;
}

/**
 * Why connecting to `ip` is refused, or undefined when it may be reached. Every IPv6 form that
 * carries an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) is judged on both addresses.
 * `admitted` says the allow list already admitted the host by name.
 */
export function refusalReason(ip: IpAddress, rules: AddressRules, admitted = false): Refusal | undefined {
  const all = forms(ip);
  const never = firstMatch(NEVER, all);
  if (never) return never;
  if (admitted || all.some((a) => rules.allow.some((cidr) => cidrContains(cidr, a)))) return undefined;
  if (all.some((a) => rules.platform.some((p) => sameAddress(p, a)))) return 'platform';
  const builtIn = firstMatch(BUILT_IN, all);
  if (builtIn) return builtIn;
  if (all.some((a) => rules.deny.some((cidr) => cidrContains(cidr, a)))) return 'denied';
  return undefined;
}
