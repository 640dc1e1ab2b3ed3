import { HostNotAllowedError } from '../errors.js';
import { parseConnectionUri, type ConnectionUri, type DriverType } from './connection-uri.js';

/** Option names compare without case, `_` or `-`: libpq, mysql2 and the MongoDB driver differ. */
const normal = (key: string): string => key.toLowerCase().replace(/[_-]/g, '');

const ANY_DRIVER = ['host', 'hostaddr', 'hosts', 'socket', 'socketpath', 'unixsocket', 'stream', 'lookup'];

/** Options that reach the local machine (files, sockets, local services) or a second host. */
const REFUSED: Record<DriverType, ReadonlySet<string>> = {
  // libpq `options` sets server GUCs; the rest read local files or redirect the connection.
  postgres: new Set(
    [...ANY_DRIVER, 'options', 'sslrootcert', 'sslcert', 'sslkey', 'sslcrl', 'sslcrldir', 'passfile']
      .concat(['service', 'servicefile', 'replication', 'requirepeer'])
      .map(normal),
  ),
  mysql: new Set(
    [...ANY_DRIVER, 'localInfile', 'infileStreamFactory', 'permitLocalInfile', 'uploadDirectory']
      .concat(['namedPipe', 'authSwitchHandler', 'authPlugins'])
      .map(normal),
  ),
  mongodb: new Set(
    [...ANY_DRIVER, 'tlsCAFile', 'tlsCertificateKeyFile', 'tlsCertificateFile', 'tlsCRLFile', 'sslCA']
      .concat(['sslCert', 'sslKey', 'sslCRL', 'proxyHost', 'proxyPort', 'proxyUsername', 'proxyPassword'])
      .concat(['autoEncryption', 'mongocryptdURI', 'cryptSharedLibPath', 'srvHost', 'srvServiceName'])
      .map(normal),
  ),
};

/** Option names whose string values name files. */
const FILE_LIKE = /(file|path|dir|ca|cert|key|crl|root)$/;
/** Values that point into the local filesystem. */
const LOCAL_PATH = /^(?:\/|~|\.{1,2}[/\\]|file:|[A-Za-z]:[/\\]|\\\\)/i;
/** MongoDB mechanisms that fetch credentials from the machine: instance metadata, Kerberos. */
const LOCAL_AUTH_MECHANISMS = new Set(['mongodb-aws', 'mongodb-oidc', 'gssapi']);

function refuse(path: string): never {
  throw new HostNotAllowedError(
    `Driver option ${JSON.stringify(path)} is not allowed`,
    'driver_option_not_allowed',
  );
}

/** Refusals that depend on the value; `key` is normalized. */
function valueRefused(type: DriverType, key: string, value: unknown): boolean {
  const text = typeof value === 'string' ? value : undefined;
  if (type === 'mysql' && key === 'flags') {
    const flags = Array.isArray(value) ? value.join(',') : String(value);
    return /(^|[\s,+])LOCAL_FILES/i.test(flags);
  }
  if (type === 'mongodb' && key === 'authmechanism')
    return LOCAL_AUTH_MECHANISMS.has((text ?? '').toLowerCase());
  if (type === 'mongodb' && key === 'authmechanismproperties') {
    return /environment|aws_session_token/i.test(typeof value === 'string' ? value : JSON.stringify(value));
  }
  return text !== undefined && FILE_LIKE.test(key) && LOCAL_PATH.test(text.trim());
}

function checkOption(type: DriverType, path: string, key: string, value: unknown): void {
  const name = normal(key);
  if (REFUSED[type].has(name) || valueRefused(type, name, value)) refuse(path);
  if (['uri', 'url', 'connectionstring'].includes(name) && typeof value === 'string') {
    assertSafeConnectionUri(type, value);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (item && typeof item === 'object')
        checkObject(type, `${path}[${i}]`, item as Record<string, unknown>);
    });
  } else if (value && typeof value === 'object') {
    checkObject(type, path, value as Record<string, unknown>);
  }
}

function checkObject(type: DriverType, prefix: string, options: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(options))
    checkOption(type, prefix ? `${prefix}.${key}` : key, key, value);
}

/**
 * Refuses driver options (the bag a user adds beyond host, port, database and credentials; nested
 * objects such as `ssl` included) that reach the local machine: socket paths, host overrides,
 * libpq `options`, local certificate and password files, MySQL LOCAL INFILE, MongoDB file-based
 * TLS options, proxies and metadata-based authentication. A `uri`/`url`/`connectionString`
 * member is checked as a connection URI. Throws HostNotAllowedError `driver_option_not_allowed`
 * naming the option, never its value.
 */
export function assertSafeDriverOptions(type: DriverType, options: Record<string, unknown>): void {
  checkObject(type, '', options);
}

/** Parses and checks a connection URI: its hosts (syntax only) and its query parameters. */
export function assertSafeConnectionUri(type: DriverType, uri: string): ConnectionUri {
  const parsed = parseConnectionUri(type, uri);
  for (const [key, value] of parsed.params) checkOption(type, `uri?${key}`, key, value);
  return parsed;
}
