import { parseIp, type IpAddress } from './ip-address.js';

/** A network: an address and how many leading bits of it are fixed. */
export interface Cidr {
  readonly network: IpAddress;
  readonly prefix: number;
  /** As configured, for messages and logs. */
  readonly text: string;
}

/** `10.0.0.0/8`, `fc00::/7`, or a bare address (a /32 or /128); undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const network = parseIp(slash < 0 ? trimmed : trimmed.slice(0, slash));
  if (!network || network.bytes.length === 0) return undefined;
  const max = network.family === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : trimmed.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > max) return undefined;
  return { network, prefix, text: trimmed };
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.network.family !== ip.family) return false;
  const full = Math.floor(cidr.prefix / 8);
  for (let i = 0; i < full; i++) if (cidr.network.bytes[i] !== ip.bytes[i]) return false;
  const rest = cidr.prefix % 8;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((cidr.network.bytes[full] ?? 0) & mask) === ((ip.bytes[full] ?? 0) & mask);
}
