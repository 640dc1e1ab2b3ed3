import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';

/** What a reconcile may ask for: to be looked at again after a while (periodic rechecks). */
export type ReconcileResult = void | { requeueAfterMs?: number };

/** Where the queue reports what it does (metrics, logs); every hook is optional. */
export interface WorkQueueHooks {
  /** Keys waiting to run (not those running or waiting for a delay), whenever it changes. */
  depth?(depth: number): void;
  /** Once per reconcile, with its duration. */
  reconciled?(key: string, outcome: 'success' | 'error', seconds: number): void;
  /** A failed key is retried after `delayMs` (its `failures`-th consecutive failure). */
  retry?(key: string, delayMs: number, failures: number, error: unknown): void;
}

export interface WorkQueueOptions {
  reconcile(key: string): Promise<ReconcileResult>;
  /** How many different keys may run at once. Default 2. */
  workers?: number;
  clock?: Clock;
  backoff?: Partial<BackoffOptions>;
  hooks?: WorkQueueHooks;
}

/**
 * Keys to reconcile (`namespace/name`), in the manner of client-go's rate-limited work queue:
 * - a key is queued once however often it is added (dedupe);
 * - one reconcile per key at a time; a key added while it runs runs once more afterwards;
 * - a failure retries the key after an exponential back-off with jitter (5 ms·2^n up to 5 min,
 *   counted per key, reset by a success);
 * - `addAfter` queues a key later (the earliest pending time wins);
 * - `shutdown` takes no new work, cancels delays and waits for the reconciles in flight.
 */
export class WorkQueue {
  private readonly ready = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();
  /** Added while running: queued again once the running reconcile ends. */
  private readonly again = new Set<string>();
  private readonly delayed = new Map<string, { at: number; timer: TimerHandle }>();
  private readonly failureCounts = new Map<string, number>();
  private readonly clock: Clock;
  private readonly backoff: BackoffOptions;
  private readonly workers: number;
  private stopping = false;
  private reportedDepth = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: WorkQueueOptions) {
    this.clock = options.clock ?? systemClock;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.workers = Math.max(1, options.workers ?? 2);
  }

  /** Queues the key now (a no-op once shutting down, or while it is already queued). */
  add(key: string): void {
    if (this.stopping) return;
    if (this.running.has(key)) this.again.add(key);
    else this.ready.add(key);
    this.pump();
  }

  /** Queues the key after `delayMs`; an earlier pending time for the same key is kept. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopping) return;
    if (delayMs <= 0) return this.add(key);
    const at = this.clock.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) this.clock.clearTimer(pending.timer);
    const timer = this.clock.setTimer(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { at, timer });
  }

  /** Keys waiting to run now. */
  get depth(): number {
    return this.ready.size;
  }

  /** Consecutive failures of the key (0 after a success). */
  failures(key: string): number {
    return this.failureCounts.get(key) ?? 0;
  }

  /** Whether the key waits for a delay (a retry or a recheck), and when it will be queued. */
  pendingAt(key: string): number | undefined {
    return this.delayed.get(key)?.at;
  }

  /** Resolves once nothing is queued or running (delayed keys may remain). */
  idle(): Promise<void> {
    if (this.ready.size === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking work, drops what is queued or delayed, and waits for the reconciles in flight. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const { timer } of this.delayed.values()) this.clock.clearTimer(timer);
    this.delayed.clear();
    this.ready.clear();
    this.again.clear();
    this.reportDepth();
    await Promise.all([...this.running.values()]);
  }

  private pump(): void {
    for (const key of this.ready) {
      if (this.running.size >= this.workers) break;
      this.ready.delete(key);
      this.running.set(key, this.run(key));
    }
    this.reportDepth();
    this.notifyIdle();
  }

  private async run(key: string): Promise<void> {
    const started = this.clock.now();
    let result: ReconcileResult = undefined;
    let failed = false;
    let failure: unknown;
    try {
      // Through a promise: a reconcile that throws at once fails like one that rejects.
      result = await Promise.resolve().then(() => this.options.reconcile(key));
    } catch (error) {
      failed = true;
      failure = error;
    }
    const seconds = (this.clock.now() - started) / 1000;
    this.options.hooks?.reconciled?.(key, failed ? 'error' : 'success', seconds);
    this.running.delete(key);
    if (failed) this.retry(key, failure);
    else this.succeeded(key, result);
    if (this.again.delete(key)) this.add(key);
    else this.pump();
  }

  private succeeded(key: string, result: ReconcileResult): void {
    this.failureCounts.delete(key);
    if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
  }

  private retry(key: string, error: unknown): void {
    const failures = this.failures(key) + 1;
    this.failureCounts.set(key, failures);
    if (this.stopping) return;
    const delayMs = backoffDelay(failures, this.backoff);
    this.options.hooks?.retry?.(key, delayMs, failures, error);
    this.addAfter(key, delayMs);
  }

  private reportDepth(): void {
    if (this.ready.size === this.reportedDepth) return;
    this.reportedDepth = this.ready.size;
    this.options.hooks?.depth?.(this.reportedDepth);
  }

  private notifyIdle(): void {
    if (this.ready.size > 0 || this.running.size > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
