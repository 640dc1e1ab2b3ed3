import { HostNotAllowedError, ValidationError } from '../errors.js';
import { hostSyntaxProblem, shownHost } from './host-syntax.js';

export type DriverType = 'postgres' | 'mysql' | 'mongodb';

export interface ConnectionUri {
  scheme: string;
  /** Every host the URI names (MongoDB lists several), percent-decoded. */
  hosts: { host: string; port: number | undefined }[];
  /** Decoded query parameters, in order; they are driver options. */
  params: [string, string][];
}

const SCHEMES: Record<DriverType, readonly string[]> = {
  postgres: ['postgres', 'postgresql'],
  mysql: ['mysql', 'mariadb'],
  mongodb: ['mongodb'],
};

/** The URI itself may hold a password, so no message ever repeats it. */
function invalid(message: string): ValidationError {
  return new ValidationError(`uri: ${message}`, [{ path: 'uri', message }]);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    throw invalid('contains a malformed percent-encoding');
  }
}

function parseHostPort(part: string): { host: string; port: number | undefined } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(part);
  if (!match) throw invalid('a host is malformed');
  const host = decode(match[1] ?? '');
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65535)) throw invalid('a port is out of range');
  return { host, port };
}

/**
 * Splits a connection URI (`scheme://user:pass@host1:port,host2/db?k=v`) without a URL parser,
 * which would reject MongoDB's host lists. Refuses a scheme not of `type`, `mongodb+srv` (its
 * SRV records would name hosts the guard never saw), Unix sockets (an empty or percent-encoded
 * path as host) and hosts that are not plain names or addresses.
 */
export function parseConnectionUri(type: DriverType, uri: string): ConnectionUri {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?(?:#.*)?$/i.exec(uri);
  if (!match) throw invalid('expected scheme://host[:port][/database][?options]');
  const scheme = (match[1] ?? '').toLowerCase();
  if (!SCHEMES[type].includes(scheme)) {
    const hint = scheme === 'mongodb+srv' ? ' (SRV lookups are not supported: list the hosts)' : '';
    throw invalid(`expected a ${SCHEMES[type].join('/')} URI${hint}`);
  }
  const authority = match[2] ?? '';
  const hostList = authority.slice(authority.lastIndexOf('@') + 1);
  const hosts = hostList.split(',').map(parseHostPort);
  for (const { host } of hosts) {
    const problem = hostSyntaxProblem(host);
    if (problem)
      throw new HostNotAllowedError(
        `Connections to host ${shownHost(host)} are not allowed`,
        'host_not_allowed',
        problem,
      );
  }
  const query = match[4] ?? '';
  const params = query
    .split('&')
    .filter(Boolean)
    .map((pair): [string, string] => {
      const eq = pair.indexOf('=');
      return eq < 0 ? [decode(pair), ''] : [decode(pair.slice(0, eq)), decode(pair.slice(eq + 1))];
    });
  return { scheme, hosts, params };
}
