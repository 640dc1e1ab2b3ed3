import { ConnectionUnavailableError } from '../platform/errors.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long (ms) an open circuit answers fast before it lets one trial through. Default 30 000. */
  coolDownMs?: number;
  /** Which errors count as failures of the source (default: all). Others pass through untouched. */
  isFailure?: (error: unknown) => boolean;
  /** Injectable clock (ms). Default Date.now. */
  now?: () => number;
}

/**
 * One breaker per connection.
 *   closed    → calls run; `failureThreshold` consecutive failures open it.
 *   open      → calls fail fast with ConnectionUnavailableError (503 connection_unavailable) until `coolDownMs` has passed.
 *   half-open → exactly one trial call runs (others fail fast); success closes, failure re-opens.
 * A success in the closed state resets the failure count.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private current: BreakerState = 'closed';
  private trialInFlight = false;
  private readonly threshold: number;
  private readonly coolDownMs: number;
  private readonly isFailure: (error: unknown) => boolean;
  private readonly now: () => number;

  constructor(
    readonly connectionId: string,
    options: CircuitBreakerOptions = {},
  ) {
    this.threshold = Math.max(1, options.failureThreshold ?? 5);
    this.coolDownMs = options.coolDownMs ?? 30_000;
    this.isFailure = options.isFailure ?? (() => true);
    this.now = options.now ?? Date.now;
  }

  /** The state as of now: an open breaker whose cool-down has passed reads as half-open. */
  get state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.coolDownMs) return 'half-open';
    return this.current;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const trial = this.admit();
    try {
      const value = await fn();
      this.onSuccess();
      return value;
    } catch (error) {
      if (this.isFailure(error)) this.onFailure();
      else if (trial) this.onSuccess(); // the source answered; the caller's error is its own
      throw error;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  /** Back to closed, forgetting failures (e.g. after the connection's settings changed). */
  reset(): void {
    this.current = 'closed';
    this.failures = 0;
    this.trialInFlight = false;
  }

  /** Throws when the call may not run; returns true when it is the half-open trial. */
  private admit(): boolean {
    const state = this.state;
    if (state === 'closed') return false;
    if (state === 'half-open' && !this.trialInFlight) {
      this.current = 'half-open';
      this.trialInFlight = true;
      return true;
    }
    const retryAfterMs = Math.max(0, this.openedAt + this.coolDownMs - this.now());
    throw new ConnectionUnavailableError(
      `Connection ${this.connectionId} is unavailable after repeated failures`,
      Math.ceil(retryAfterMs / 1000),
    );
  }

  private onSuccess(): void {
    this.failures = 0;
    this.current = 'closed';
  }

  private onFailure(): void {
    this.failures += 1;
    if (this.current === 'half-open' || this.failures >= this.threshold) {
      this.current = 'open';
      this.openedAt = this.now();
    }
  }
}
