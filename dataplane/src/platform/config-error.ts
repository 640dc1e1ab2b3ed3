/** A missing or malformed environment variable; the message names it, never a secret value. */
export class ConfigError extends Error {}
