/**
 * An API key of a view API as lists show it (never its secret), its row in `api_keys`, and the
 * scopes a key can carry.
 */
export const API_KEY_SCOPES = ['data:read', 'data:export'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** What each representation of the public endpoint needs: JSON reads, CSV exports. */
export const SCOPE_OF_FORMAT = { json: 'data:read', csv: 'data:export' } as const satisfies Record<
  string,
  ApiKeyScope
>;

export interface ApiKeyInput {
  name?: string;
  scopes?: ApiKeyScope[];
  expiresAt?: string;
}

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  createdBy: string | null;
}

/** A key just made: the only time its secret is shown. */
export interface IssuedApiKey extends ApiKeyView {
  key: string;
}

export interface ApiKeyRow {
  id: string;
  view_api_id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  scopes: ApiKeyScope[];
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  created_by: string | null;
  created_at: Date;
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toApiKeyView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    expiresAt: iso(row.expires_at),
    revokedAt: iso(row.revoked_at),
    lastUsedAt: iso(row.last_used_at),
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
  };
}
