import type { KeyObject } from 'node:crypto';

export interface DataKeyCacheOptions {
  /** How long an unwrapped key is kept; default 5 minutes. */
  ttlMs?: number;
  /** At most this many keys; the least recently used go first. Default 1000. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * Unwrapped data keys, briefly, so decrypting a workspace's credentials does not call the KMS
 * every time. Keys are KeyObjects: their bytes never show in logs or inspection.
 */
export class DataKeyCache {
  readonly #entries = new Map<string, { key: KeyObject; expiresAt: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: DataKeyCacheOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 5 * 60_000;
    this.#maxEntries = Math.max(1, options.maxEntries ?? 1000);
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(workspaceId: string, version: number): KeyObject | undefined {
    const id = `${workspaceId}\0${version}`;
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    this.#entries.delete(id);
    if (entry.expiresAt <= this.#now()) return undefined;
    this.#entries.set(id, entry);
    return entry.key;
  }

  set(workspaceId: string, version: number, key: KeyObject): void {
    const id = `${workspaceId}\0${version}`;
    this.#entries.delete(id);
    this.#entries.set(id, { key, expiresAt: this.#now() + this.#ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  /** Drops one workspace's keys, or all. */
  forget(workspaceId?: string): void {
    if (workspaceId === undefined) return this.#entries.clear();
    for (const id of [...this.#entries.keys()])
      if (id.startsWith(`${workspaceId}\0`)) this.#entries.delete(id);
  }
}
