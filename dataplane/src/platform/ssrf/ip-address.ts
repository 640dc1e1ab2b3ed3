import { isIPv4, isIPv6 } from 'node:net';

/** An IP address as its network-order bytes: 4 for IPv4, 16 for IPv6. */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
}

/**
 * Parses an IP literal (`1.2.3.4`, `::1`, `[::1]`, `fe80::1%eth0`); anything else is undefined.
 * The zone of a scoped IPv6 address is dropped: it never changes which network an address is in.
 */
export function parseIp(text: string): IpAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const address = bare.split('%')[0] ?? '';
  if (isIPv4(address)) return { family: 4, bytes: Uint8Array.from(address.split('.').map(Number)) };
  if (isIPv6(address)) return { family: 6, bytes: parseIpv6(address) };
  return undefined;
}

/** Bytes of a valid IPv6 literal, including `::` and a trailing dotted quad. */
function parseIpv6(text: string): Uint8Array {
  let head = text;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const [a = 0, b = 0, c = 0, d = 0] = last.split('.').map(Number);
    head = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [left = '', right] = head.split('::');
  const leftGroups = left ? left.split(':') : [];
  const rightGroups = right ? right.split(':') : [];
  const zeros =
    right === undefined ? [] : Array<string>(8 - leftGroups.length - rightGroups.length).fill('0');
  const groups = [...leftGroups, ...zeros, ...rightGroups];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
}

function ipv4(bytes: Uint8Array): IpAddress {
  return { family: 4, bytes: Uint8Array.from(bytes) };
}

function allZero(bytes: Uint8Array, from: number, to: number): boolean {
  return bytes.subarray(from, to).every((b) => b === 0);
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

/**
 * The IPv4 address an IPv6 address carries, where the kernel, a translator or a tunnel would
 * deliver packets to that IPv4 address: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d),
 * SIIT-translated (::ffff:0:a.b.c.d), NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48),
 * 6to4 (2002:AABB:CCDD::/48) and Teredo (2001::/32, client address inverted).
 */
export function embeddedIpv4(ip: IpAddress): IpAddress | undefined {
  if (ip.family !== 6) return undefined;
  const b = ip.bytes;
  const tail = b.subarray(12, 16);
  if (allZero(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) return ipv4(tail);
  if (allZero(b, 0, 12)) return ipv4(tail);
  if (allZero(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && allZero(b, 10, 12)) return ipv4(tail);
  if (startsWith(b, [0x00, 0x64, 0xff, 0x9b]) && allZero(b, 4, 12)) return ipv4(tail);
  if (startsWith(b, [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01])) return ipv4(tail);
  if (startsWith(b, [0x20, 0x02])) return ipv4(b.subarray(2, 6));
  if (startsWith(b, [0x20, 0x01, 0x00, 0x00])) return ipv4(tail.map((x) => x ^ 0xff));
  return undefined;
}

export function sameAddress(a: IpAddress, b: IpAddress): boolean {
  return a.family === b.family && a.bytes.every((x, i) => x === b.bytes[i]);
}
