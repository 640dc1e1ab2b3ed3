import type { Logger } from './logger.js';
import type { Redis } from './redis.js';

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

export type EventHandler = (event: DomainEvent) => void | Promise<void>;

export interface EventBus {
  publish(event: DomainEvent): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(handler: EventHandler): () => void;
  close(): Promise<void>;
}

/** Delivers to local handlers; one failing handler neither stops the others nor the publisher. */
class LocalDispatcher {
  private readonly handlers = new Set<EventHandler>();
  constructor(private readonly log: Logger) {}

  add(handler: EventHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  dispatch(event: DomainEvent): void {
    for (const handler of this.handlers) {
      Promise.resolve()
        .then(() => handler(event))
        .catch((error: unknown) =>
          this.log.error({ err: error, eventType: event.type }, 'event handler failed'),
        );
    }
  }
}

export class MemoryEventBus implements EventBus {
  private readonly local: LocalDispatcher;
  constructor(log: Logger) {
    this.local = new LocalDispatcher(log);
  }
  async publish(event: DomainEvent): Promise<void> {
    this.local.dispatch(event);
  }
  subscribe(handler: EventHandler): () => void {
    return this.local.add(handler);
  }
  async close(): Promise<void> {}
}

/** Fan-out across replicas: every replica, the publisher included, receives through Redis. */
export class RedisEventBus implements EventBus {
  private readonly local: LocalDispatcher;
  private readonly ready: Promise<unknown>;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    log: Logger,
    private readonly channel = 'lt:events',
  ) {
    this.local = new LocalDispatcher(log);
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        this.local.dispatch(JSON.parse(message) as DomainEvent);
      } catch (error) {
        log.error({ err: error }, 'dropping malformed bus message');
      }
    });
    // ioredis re-subscribes by itself after a reconnect; a failed first attempt is only logged.
    this.ready = this.subscriber.subscribe(this.channel).catch((error: unknown) => {
      log.error({ err: error, channel: this.channel }, 'bus subscription failed; retrying on reconnect');
    });
  }

  async publish(event: DomainEvent): Promise<void> {
    await this.ready;
    await this.publisher.publish(this.channel, JSON.stringify(event));
  }

  subscribe(handler: EventHandler): () => void {
    return this.local.add(handler);
  }

  async close(): Promise<void> {
    await this.subscriber.unsubscribe(this.channel).catch(() => undefined);
  }
}
