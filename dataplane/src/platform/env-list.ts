import { ConfigError } from './config-error.js';

/**
 * A comma-separated variable as its entries (`a, b ,c`), each checked by `valid`; the first
 * refused entry is named in a ConfigError with the variable, so a bad deployment fails at start.
 */
export function envList(name: string, raw: string | undefined, valid: (entry: string) => boolean): string[] {
  const entries = (raw ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = entries.find((e) => !valid(e));
  if (bad !== undefined)
    throw new ConfigError(`${name}: ${JSON.stringify(bad)} is not a CIDR, address or host name`);
  return entries;
}
