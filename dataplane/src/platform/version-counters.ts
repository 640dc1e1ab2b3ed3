import { randomUUID } from 'node:crypto';
import { assertConnected, type Redis } from './redis.js';

/**
 * Named counters that only ever move forward, read as opaque version strings: in process in
 * standalone, in Redis when replicas share them. A version is `<epoch>.<count>`: the epoch is
 * chosen when a counter is first created, so a counter that was lost (Redis restarted or evicted
 * it, a process restarted) comes back with a new epoch and never repeats a version it gave
 * before. What is keyed by a version can therefore never be served for a later state.
 */
export interface VersionCounters {
  /** The current versions, in the order of `keys` (a missing counter is created). */
  read(keys: readonly string[]): Promise<string[]>;
  /** Moves each counter forward; resolves once the new values are visible to every reader. */
  bump(keys: readonly string[]): Promise<void>;
}

export class MemoryVersionCounters implements VersionCounters {
  /** One epoch per process: a restart starts every counter afresh. */
  private readonly epoch = randomUUID().slice(0, 8);
  private readonly counts = new Map<string, number>();

  async read(keys: readonly string[]): Promise<string[]> {
    return keys.map((key) => `${this.epoch}.${this.counts.get(key) ?? 0}`);
  }

  async bump(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}

/** Counters are kept this long after their last change; a lost one restarts with a new epoch. */
const REDIS_COUNTER_TTL_SECONDS = 30 * 24 * 3600;

/**
 * A Redis hash per counter: `e` the epoch (set once, HSETNX), `n` the count (HINCRBY). Reads and
 * bumps are one round trip each, whatever the number of keys.
 */
export class RedisVersionCounters implements VersionCounters {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'lt:version:',
  ) {}

  async read(keys: readonly string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    assertConnected(this.redis);
    const read = this.redis.multi();
    for (const key of keys) read.hmget(this.prefix + key, 'e', 'n');
    const answers = (await read.exec()) ?? [];
    const missing = keys.filter((_, i) => !epochOf(answers[i]));
    if (missing.length === 0) return answers.map(versionOf);
    await this.create(missing);
    return this.read(keys);
  }

  async bump(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    assertConnected(this.redis);
    const write = this.redis.multi();
    for (const key of keys) {
      write.hsetnx(this.prefix + key, 'e', randomUUID().slice(0, 8));
      write.hincrby(this.prefix + key, 'n', 1);
      write.expire(this.prefix + key, REDIS_COUNTER_TTL_SECONDS);
    }
    await write.exec();
  }

  private async create(keys: readonly string[]): Promise<void> {
    const write = this.redis.multi();
    for (const key of keys) {
      write.hsetnx(this.prefix + key, 'e', randomUUID().slice(0, 8));
      write.expire(this.prefix + key, REDIS_COUNTER_TTL_SECONDS);
    }
    await write.exec();
  }
}

type Answer = [Error | null, unknown] | undefined;

const epochOf = (answer: Answer): string | undefined => {
  const values = answer?.[1];
  return Array.isArray(values) && typeof values[0] === 'string' ? values[0] : undefined;
};

function versionOf(answer: Answer): string {
  const values = answer?.[1] as (string | null)[];
  return `${String(values[0])}.${values[1] ?? 0}`;
}
