import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../../platform/logger.js';
import { quoteIdent } from '../../store/identifiers.js';

/** A key's `last_used_at` is kept to the minute: a key busy all day costs 1 440 writes, not millions. */
const EVERY_MS = 60_000;

/**
 * Notes when keys are used, off the request's path: at most one UPDATE per key per minute from
 * this process, not awaited by the request, and none from any replica when another wrote
 * within the minute (the statement's own condition). Bookkeeping, not a change anyone made:
 * not audited, like the rotation of refresh tokens.
 */
export class KeyLastUsed {
  private readonly written = new LRUCache<string, number>({ max: 10_000 });

  constructor(
    private readonly knex: Knex,
    private readonly log: Logger,
  ) {}

  touch(schema: string, keyId: string): void {
    const now = Date.now();
    const last = this.written.get(keyId);
    if (last !== undefined && now - last < EVERY_MS) return;
    this.written.set(keyId, now);
    this.knex
      .raw(
        `UPDATE ${quoteIdent(schema)}.api_keys SET last_used_at = now()
         WHERE id = ? AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => ?))`,
        [keyId, EVERY_MS / 1000],
      )
      .catch((error: unknown) => this.log.warn({ err: error }, 'could not note when an API key was used'));
  }
}
