import { AppError, GatewayTimeoutError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import type {
  AdapterFactory,
  ConnectionSettings,
  ConnectionTestResult,
  IDatabaseAdapter,
} from './adapter.js';
import { CircuitBreaker, type BreakerState, type CircuitBreakerOptions } from './circuit-breaker.js';
import { HealthMonitor } from './health-monitor.js';
import { ManagedAdapter } from './managed-adapter.js';
import { retryWithBackoff, type RetryOptions } from './retry.js';

export interface AdapterRegistryOptions {
  /** Builds the driver-level adapter for a connection (see factory.ts). */
  factory: AdapterFactory;
  /** Most pools open at once; opening one more closes the least recently used idle one. Default 50. */
  maxOpen?: number;
  /** A pool unused this long (ms) is closed by `closeIdle()` / the sweep. Default 300 000. */
  idleMs?: number;
  /** Back-off of `connect()`. Default 3 attempts from 200 ms. */
  retry?: RetryOptions;
  /** Per-connection breaker; `isFailure` defaults to `isSourceFailure`. */
  breaker?: Omit<CircuitBreakerOptions, 'now'>;
  /** Injectable clock (ms) shared by idle tracking, breakers and health. Default Date.now. */
  now?: () => number;
  logger?: Pick<Logger, 'warn'>;
}

interface Entry {
  settings: ConnectionSettings;
  fingerprint: string;
  adapter: IDatabaseAdapter;
  /** Set while connecting or connected; cleared by a failed connect so the next call retries. */
  connected: Promise<void> | null;
  lastUsed: number;
  inFlight: number;
}

/**
 * Errors that say the source is unreachable or broken (count against the breaker, worth a
 * reconnect): driver errors we could not classify and 5xx domain errors other than a statement
 * timeout. A bad query, a read-only refusal or a slow statement is the caller's problem.
 */
export function isSourceFailure(error: unknown): boolean {
  if (!(error instanceof AppError)) return true;
  return error.status >= 500 && !(error instanceof GatewayTimeoutError);
}

/** Connect errors worth another attempt: source failures other than a refused login or database. */
export function isRetryableConnectError(error: unknown): boolean {
  return isSourceFailure(error) && !(error instanceof AppError && error.code === 'connection_rejected');
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * One adapter (and so one pool) per connection id, created on first use. Map order is recency:
 * a use moves the entry to the end, so eviction takes from the front. Breakers and health
 * outlive the pools (an idle-closed pool keeps its open breaker); `forget` drops everything.
 */
export class AdapterRegistry {
  readonly health: HealthMonitor;
  private readonly entries = new Map<string, Entry>();
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly closing = new Set<Promise<void>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly now: () => number;
  private readonly maxOpen: number;
  private readonly idleMs: number;

  constructor(private readonly options: AdapterRegistryOptions) {
    this.now = options.now ?? Date.now;
    this.maxOpen = Math.max(1, options.maxOpen ?? 50);
    this.idleMs = options.idleMs ?? 300_000;
    this.health = new HealthMonitor(this.now);
  }

  /** A handle whose calls go through this registry (lazy pool, retry, breaker, recency). */
  get(settings: ConnectionSettings): IDatabaseAdapter {
    return new ManagedAdapter(this, settings);
  }

  /** Runs `fn` on the connection's connected adapter, guarded by its breaker. */
  async run<T>(settings: ConnectionSettings, fn: (adapter: IDatabaseAdapter) => Promise<T>): Promise<T> {
    const breaker = this.breakerFor(settings);
    return breaker.run(async () => {
      const entry = this.entryFor(settings);
      entry.inFlight += 1;
      try {
        await this.ensureConnected(entry, this.options.retry);
        return await fn(entry.adapter);
      } finally {
        entry.inFlight -= 1;
        this.touch(entry);
      }
    });
  }

  /** A connection test: one connect attempt, then the adapter's own check; records health. */
  async test(settings: ConnectionSettings): Promise<ConnectionTestResult> {
    const started = this.now();
    const entry = this.entryFor(settings);
    let result: ConnectionTestResult;
    try {
      await this.ensureConnected(entry, { ...this.options.retry, attempts: 1 });
      result = await entry.adapter.testConnection();
    } catch (error) {
      result = { ok: false, latencyMs: this.now() - started, error: message(error) };
    }
    this.health.record(settings.id, result);
    if (result.ok) this.breakers.get(settings.id)?.reset();
    return result;
  }

  /** Checks every open pool (no pool is opened for it; recency is left alone). */
  async checkHealth(): Promise<void> {
    await Promise.all(
      [...this.entries.values()].map(async (entry) => {
        const result = await entry.adapter.testConnection().catch((error: unknown): ConnectionTestResult => ({
          ok: false,
          latencyMs: 0,
          error: message(error),
        }));
        this.health.record(entry.settings.id, result);
      }),
    );
  }

  breakerState(connectionId: string): BreakerState {
    return this.breakers.get(connectionId)?.state ?? 'closed';
  }

  /** Ids with an adapter, least recently used first. */
  openIds(): string[] {
    return [...this.entries.keys()];
  }

  /** Closes pools unused for `idleMs` and not busy; answers their ids. */
  async closeIdle(): Promise<string[]> {
    const cutoff = this.now() - this.idleMs;
    const idle = [...this.entries.values()].filter((e) => e.inFlight === 0 && e.lastUsed <= cutoff);
    await Promise.all(idle.map((e) => this.remove(e)));
    return idle.map((e) => e.settings.id);
  }

  /** Closes the connection's pool (its breaker and health stay). */
  async release(connectionId: string): Promise<void> {
    const entry = this.entries.get(connectionId);
    if (entry) await this.remove(entry);
  }

  /** For a deleted or edited connection: pool, breaker and health all go. */
  async forget(connectionId: string): Promise<void> {
    this.breakers.delete(connectionId);
    this.health.forget(connectionId);
    await this.release(connectionId);
  }

  /** Periodic idle sweep and health checks; timers never keep the process alive. */
  start(intervals: { idleSweepMs?: number; healthMs?: number } = {}): void {
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const timer = setInterval(() => {
        fn().catch((error: unknown) =>
          this.options.logger?.warn({ err: error }, 'adapter registry task failed'),
        );
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(intervals.idleSweepMs ?? 60_000, () => this.closeIdle());
    if (intervals.healthMs) every(intervals.healthMs, () => this.checkHealth());
  }

  /** Shutdown: stops the timers and closes every pool. */
  async closeAll(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await Promise.all([...this.entries.values()].map((e) => this.remove(e)));
    await Promise.all([...this.closing]);
  }

  private breakerFor(settings: ConnectionSettings): CircuitBreaker {
    let breaker = this.breakers.get(settings.id);
    const current = this.entries.get(settings.id);
    if (breaker && current && current.fingerprint !== fingerprint(settings)) breaker.reset();
    if (!breaker) {
      breaker = new CircuitBreaker(settings.id, {
        isFailure: isSourceFailure,
        ...this.options.breaker,
        now: this.now,
      });
      this.breakers.set(settings.id, breaker);
    }
    return breaker;
  }

  private entryFor(settings: ConnectionSettings): Entry {
    const print = fingerprint(settings);
    const existing = this.entries.get(settings.id);
    if (existing?.fingerprint === print) {
      this.touch(existing);
      return existing;
    }
    if (existing) void this.remove(existing);
    this.evictForRoom();
    const entry: Entry = {
      settings,
      fingerprint: print,
      adapter: this.options.factory(settings),
      connected: null,
      lastUsed: this.now(),
      inFlight: 0,
    };
    this.entries.set(settings.id, entry);
    return entry;
  }

  /** Least recently used first; a busy pool is never closed under its queries (the cap is soft then). */
  private evictForRoom(): void {
    for (const entry of this.entries.values()) {
      if (this.entries.size < this.maxOpen) return;
      if (entry.inFlight === 0) void this.remove(entry);
    }
  }

  private ensureConnected(entry: Entry, retry: RetryOptions | undefined): Promise<void> {
    entry.connected ??= retryWithBackoff(() => entry.adapter.connect(), {
      shouldRetry: isRetryableConnectError,
      ...retry,
    }).catch((error: unknown) => {
      entry.connected = null;
      this.health.record(entry.settings.id, { ok: false, latencyMs: 0, error: message(error) });
      throw error;
    });
    return entry.connected;
  }

  private touch(entry: Entry): void {
    entry.lastUsed = this.now();
    if (this.entries.get(entry.settings.id) !== entry) return;
    this.entries.delete(entry.settings.id);
    this.entries.set(entry.settings.id, entry);
  }

  private remove(entry: Entry): Promise<void> {
    if (this.entries.get(entry.settings.id) === entry) this.entries.delete(entry.settings.id);
    const closing = entry.adapter
      .disconnect()
      .catch((error: unknown) => this.options.logger?.warn({ err: error }, 'closing an adapter failed'))
      .finally(() => this.closing.delete(closing));
    this.closing.add(closing);
    return closing;
  }
}

/** Settings equality (kept in memory only; credentials included so a new password gets a new pool). */
function fingerprint(settings: ConnectionSettings): string {
  return JSON.stringify(settings);
}
