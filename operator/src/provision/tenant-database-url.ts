import type { HostPort } from '../config.js';

/**
 * The tenant's DATABASE_URL: the platform database (its name and query options such as
 * `sslmode`) reached at `host` as the tenant role. URL setters percent-encode the credentials.
 */
export function tenantDatabaseUrl(
  platformUrl: string,
  host: HostPort,
  role: string,
  password: string,
): string {
  const url = new URL(platformUrl);
  url.hostname = host.host;
  url.port = String(host.port);
  url.username = role;
  url.password = password;
  return url.toString();
}

/** The password a DATABASE_URL carries, or undefined (no URL, no password, not a URL). */
export function passwordOfUrl(databaseUrl: string | undefined): string | undefined {
  if (!databaseUrl) return undefined;
  try {
    const password = new URL(databaseUrl).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}
