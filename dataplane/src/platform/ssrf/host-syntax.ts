import { parseIp } from './ip-address.js';

const LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
const HOST_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`);
const HOST_PATTERN = new RegExp(`^(?:\\*\\.)?${LABEL}(?:\\.${LABEL})*$`);

/** A DNS host name (ASCII; IDNs must be given in punycode), optionally with a trailing dot. */
export function isHostName(text: string): boolean {
  return text.length <= 254 && HOST_NAME.test(text) && !/^[\d.]+$/.test(text);
}

/** An allow-list entry naming hosts: `db.example.com` or `*.example.com` (any subdomain). */
export function isHostPattern(text: string): boolean {
  return text.length <= 254 && HOST_PATTERN.test(text);
}

/** Lower case, no trailing dot, no IPv6 brackets: the form host names are compared in. */
export function canonicalHost(host: string): string {
  const unbracketed = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return unbracketed.toLowerCase().replace(/\.$/, '');
}

export function hostMatchesPattern(host: string, pattern: string): boolean {
  const name = canonicalHost(host);
  const p = pattern.toLowerCase();
  return p.startsWith('*.') ? name.endsWith(p.slice(1)) : name === p;
}

/**
 * Why `host` cannot even be looked up, or undefined when it is an IP literal or a host name.
 * Refused: empty, whitespace or control characters, `@` (credentials smuggled into the host),
 * `/` or `\` (Unix sockets and paths), a port or anything else that makes it not a plain name.
 */
export function hostSyntaxProblem(host: string): string | undefined {
  if (host.length === 0) return 'empty';
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(host)) return 'whitespace or control characters';
  if (host.includes('@')) return 'contains @';
  if (host.includes('/') || host.includes('\\')) return 'a socket or file path';
  if (parseIp(host)) return undefined;
  if (isHostName(host)) return undefined;
  return 'not a host name or IP address';
}

/** The host as an error message shows it: what follows an `@` only (before it may be a password). */
export function shownHost(host: string): string {
  return JSON.stringify(host.slice(host.lastIndexOf('@') + 1).slice(0, 255));
}
