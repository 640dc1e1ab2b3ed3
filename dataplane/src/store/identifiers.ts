/**
 * Identifiers in SQL text come only from metadata (schema names we generated, ids), never from
 * request input. This is the one place that quotes them, and it refuses anything unexpected.
 */
const SAFE_IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

export function quoteIdent(name: string): string {
  if (!SAFE_IDENT.test(name)) throw new Error(`refusing unsafe SQL identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** `lt_ws_<slug>`: the Postgres schema of a workspace in standalone mode. */
export function workspaceSchemaName(slug: string): string {
  return `lt_ws_${slug.replaceAll('-', '_')}`;
}
