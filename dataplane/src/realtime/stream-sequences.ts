import { randomUUID } from 'node:crypto';
import type { Redis } from '../platform/redis.js';

/** The next number of a stream of events, and the epoch it counts within. */
export interface Sequenced {
  epoch: string;
  seq: number;
}

/**
 * Numbers the batches of each event stream (a table's, a view's) 1, 2, 3… so a client can see a
 * gap. Shared through Redis by replicas; a counter Redis lost starts again under a new epoch, as
 * do the in-process counters of a replica that cannot reach Redis: an epoch change tells the
 * client to resynchronise, never to trust a number it has seen before.
 */
export interface StreamSequences {
  next(stream: string): Promise<Sequenced>;
}

export class MemoryStreamSequences implements StreamSequences {
  private readonly counts = new Map<string, number>();
  constructor(private readonly epoch = `local-${randomUUID().slice(0, 8)}`) {}

  async next(stream: string): Promise<Sequenced> {
    const seq = (this.counts.get(stream) ?? 0) + 1;
    this.counts.set(stream, seq);
    return { epoch: this.epoch, seq };
  }
}

/** Kept a day after the last event: longer than any client stays disconnected. */
const TTL_SECONDS = 24 * 3600;

/** A hash per stream, `e` its epoch (set once) and `n` its count: one round trip. */
export class RedisStreamSequences implements StreamSequences {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'lt:rt:seq:',
  ) {}

  async next(stream: string): Promise<Sequenced> {
    const key = this.prefix + stream;
    const answers = await this.redis
      .multi()
      .hsetnx(key, 'e', randomUUID().slice(0, 8))
      .hincrby(key, 'n', 1)
      .hget(key, 'e')
      .expire(key, TTL_SECONDS)
      .exec();
    const failed = answers?.find(([error]) => error);
    if (!answers || failed) throw failed?.[0] ?? new Error('Redis aborted the sequence transaction');
    return { epoch: String(answers[2]?.[1]), seq: Number(answers[1]?.[1]) };
  }
}

/**
 * Redis while the client is connected, else this replica's own counters (their own epoch):
 * during an outage events still reach this replica's clients, numbered, and the epoch change
 * when Redis is back makes them resynchronise.
 */
export class FallbackStreamSequences implements StreamSequences {
  private readonly local = new MemoryStreamSequences();
  private readonly shared: RedisStreamSequences;

  constructor(
    private readonly redis: Redis,
    private readonly onFallback: (error: unknown) => void,
  ) {
    this.shared = new RedisStreamSequences(redis);
  }

  async next(stream: string): Promise<Sequenced> {
    if (this.redis.status !== 'ready') return this.local.next(stream);
    try {
      return await this.shared.next(stream);
    } catch (error) {
      // An outage that began mid-request: the local epoch tells every client.
      this.onFallback(error);
      return this.local.next(stream);
    }
  }
}

export function streamSequences(
  redis: Redis | undefined,
  onFallback: (error: unknown) => void,
): StreamSequences {
  return redis ? new FallbackStreamSequences(redis, onFallback) : new MemoryStreamSequences();
}
