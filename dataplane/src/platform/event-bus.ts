import { randomUUID } from 'node:crypto';
import type { Logger } from './logger.js';
import { assertConnected, type Redis } from './redis.js';

/**
 * Domain events, published after the transaction that made the change has committed. Realtime,
 * cache invalidation and audit consumers subscribe here instead of being called by services.
 */
export interface DomainEvent {
  type: string;
  workspaceId: string | null;
  actorId: string | null;
  at: string;
  payload: Record<string, unknown>;
}

/**
 * Sent to local subscribers, by the bus itself, when events of other replicas may have been
 * missed (the connection carrying them dropped, or came back): whatever a subscriber derived
 * from them (a cache) must be rebuilt.
 */
export const BUS_GAP = 'bus.gap';

export type EventHandler = (event: DomainEvent) => void | Promise<void>;

export interface SubscribeOptions {
  /**
   * The publisher waits for this handler's promise (in this process only) before `publish`
   * returns: for state that must have moved before the change's request answers, such as a
   * shared data version other replicas read (ADR 0019). Failures are logged, never thrown.
   */
  awaited?: boolean;
  /** Only events this process publishes (never those of other replicas, nor `bus.gap`). */
  localOnly?: boolean;
}

export interface EventBus {
  /**
   * Delivers to this process's subscribers before it returns (each handler is started, in
   * subscription order; awaited ones are waited for), then to the other replicas'.
   */
  publish(event: DomainEvent): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(handler: EventHandler, options?: SubscribeOptions): () => void;
  close(): Promise<void>;
}

/**
 * Delivers to local handlers, each started synchronously so a publisher knows its own process
 * has been told (caches forgotten) once publish returns. One failing handler neither stops the
 * others nor the publisher.
 */
class LocalDispatcher {
  private readonly handlers = new Map<EventHandler, SubscribeOptions>();
  constructor(private readonly log: Logger) {}

  add(handler: EventHandler, options: SubscribeOptions = {}): () => void {
    this.handlers.set(handler, options);
    return () => this.handlers.delete(handler);
  }

  /** Starts every handler; resolves once the awaited ones have settled. */
  dispatch(event: DomainEvent, local: boolean): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const [handler, options] of this.handlers) {
      if (options.localOnly && !local) continue;
      try {
        const result = handler(event);
        if (result instanceof Promise) {
          const settled = result.catch((error: unknown) => this.failed(error, event));
          if (options.awaited) waits.push(settled);
        }
      } catch (error) {
        this.failed(error, event);
      }
    }
    return waits.length === 0 ? Promise.resolve() : Promise.all(waits).then(() => undefined);
  }

  private failed(error: unknown, event: DomainEvent): void {
    this.log.error({ err: error, eventType: event.type }, 'event handler failed');
  }
}

export class MemoryEventBus implements EventBus {
  private readonly local: LocalDispatcher;
  constructor(log: Logger) {
    this.local = new LocalDispatcher(log);
  }
  async publish(event: DomainEvent): Promise<void> {
    await this.local.dispatch(event, true);
  }
  subscribe(handler: EventHandler, options?: SubscribeOptions): () => void {
    return this.local.add(handler, options);
  }
  async close(): Promise<void> {}
}

/** What travels on the channel: the event and the replica that published it. */
interface Envelope {
  origin: string;
  event: DomainEvent;
}

/**
 * Fan-out across replicas through Redis pub/sub. The publishing replica delivers to its own
 * subscribers directly and ignores its own messages coming back. Pub/sub keeps nothing for a
 * disconnected subscriber, so a drop and a reconnection each tell local subscribers `bus.gap`.
 */
export class RedisEventBus implements EventBus {
  private readonly local: LocalDispatcher;
  private readonly ready: Promise<unknown>;
  private readonly origin = randomUUID();
  private connected: boolean;
  /** Whether the subscriber was ever connected: the first connection misses nothing. */
  private everConnected: boolean;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly log: Logger,
    private readonly channel = 'lt:events',
  ) {
    this.local = new LocalDispatcher(log);
    this.connected = this.everConnected = subscriber.status === 'ready';
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.receive(message);
    });
    // After a reconnection ioredis subscribes again by itself; once our own SUBSCRIBE, queued
    // behind it, is answered, messages flow again, and what was missed before is a gap.
    this.subscriber.on('ready', () => {
      if (this.connected) return;
      this.connected = true;
      if (!this.everConnected) {
        this.everConnected = true;
        return;
      }
      this.subscriber.subscribe(this.channel).then(
        () => this.gap('subscriber reconnected'),
        (error: unknown) => log.error({ err: error, channel: this.channel }, 'bus resubscription failed'),
      );
    });
    this.subscriber.on('close', () => {
      if (!this.connected) return;
      this.connected = false;
      this.gap('subscriber disconnected');
    });
    // ioredis re-subscribes by itself after a reconnect; a failed first attempt is only logged.
    this.ready = this.subscriber.subscribe(this.channel).catch((error: unknown) => {
      log.error({ err: error, channel: this.channel }, 'bus subscription failed; retrying on reconnect');
    });
  }

  async publish(event: DomainEvent): Promise<void> {
    await this.local.dispatch(event, true);
    await this.ready;
    const envelope: Envelope = { origin: this.origin, event };
    assertConnected(this.publisher);
    await this.publisher.publish(this.channel, JSON.stringify(envelope));
  }

  subscribe(handler: EventHandler, options?: SubscribeOptions): () => void {
    return this.local.add(handler, options);
  }

  async close(): Promise<void> {
    await this.subscriber.unsubscribe(this.channel).catch(() => undefined);
  }

  private receive(message: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message) as Envelope;
    } catch (error) {
      this.log.error({ err: error }, 'dropping malformed bus message');
      return;
    }
    if (envelope.origin !== this.origin) void this.local.dispatch(envelope.event, false);
  }

  private gap(reason: string): void {
    this.log.warn({ channel: this.channel, reason }, 'bus: events of other replicas may have been missed');
    void this.local.dispatch(
      { type: BUS_GAP, workspaceId: null, actorId: null, at: new Date().toISOString(), payload: { reason } },
      false,
    );
  }
}
