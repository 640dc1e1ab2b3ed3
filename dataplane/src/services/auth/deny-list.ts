import type { Knex } from 'knex';
import type { Cache } from '../../platform/cache.js';

/**
 * Access tokens stay valid until they expire unless denied here: by `jti` (logout) or by
 * session (`sid:<id>`, revoked sessions and reuse detection). Checks hit only the cache; the
 * table makes denials durable, and `warm` reloads them into a fresh in-process cache.
 */
export class DenyList {
  constructor(
    private readonly cache: Cache,
    private readonly knex: Knex,
  ) {}

  async deny(key: string, untilEpochSeconds: number, trx: Knex = this.knex): Promise<void> {
    const ttl = untilEpochSeconds - Math.floor(Date.now() / 1000);
    if (ttl <= 0) return;
    await trx('denied_tokens')
      .insert({ key, expires_at: new Date(untilEpochSeconds * 1000) })
      .onConflict('key')
      .merge();
    await this.cache.set(denyKey(key), '1', ttl);
  }

  async isDenied(jti: string, sessionId: string): Promise<boolean> {
    const keys = [jti, `sid:${sessionId}`];
    let cached: (string | null)[];
    try {
      cached = await Promise.all(keys.map((key) => this.cache.get(denyKey(key))));
    } catch {
      // The cache (Redis) is unreachable: the table is the durable truth, so ask it instead of
      // failing every authenticated request (and never admitting a denied token).
      return this.deniedInTable(keys);
    }
    return cached.some((value) => value !== null);
  }

  private async deniedInTable(keys: string[]): Promise<boolean> {
    const found = await this.knex('denied_tokens')
      .whereIn('key', keys)
      .where('expires_at', '>', new Date())
      .first('key');
    return found !== undefined;
  }

  async warm(): Promise<void> {
    await this.knex('denied_tokens').where('expires_at', '<', new Date()).delete();
    const rows = await this.knex('denied_tokens').select<{ key: string; expires_at: Date }[]>(
      'key',
      'expires_at',
    );
    for (const row of rows) {
      await this.cache.set(denyKey(row.key), '1', (row.expires_at.getTime() - Date.now()) / 1000);
    }
  }
}

const denyKey = (key: string): string => `deny:${key}`;
