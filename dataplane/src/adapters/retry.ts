export interface RetryOptions {
  /** Total attempts, the first included. Default 3. */
  attempts?: number;
  /** Delay before the second attempt (ms), before jitter. Default 200. */
  baseDelayMs?: number;
  /** Upper bound of one delay (ms). Default 5 000. */
  maxDelayMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Whether an error is worth another attempt (default: all). */
  shouldRetry?: (error: unknown) => boolean;
  /** Injectable so tests do not sleep. Default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable randomness in [0, 1). Default Math.random. */
  random?: () => number;
}

export const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Delay before retry number `retry` (0 = the first retry): exponential, capped, with "equal
 * jitter" — half the delay is fixed, the other half random — so retries of many connections
 * that failed together spread out but never collapse to zero.
 */
export function backoffDelay(retry: number, options: RetryOptions = {}, random = Math.random): number {
  const base = options.baseDelayMs ?? 200;
  const max = options.maxDelayMs ?? 5_000;
  const factor = options.factor ?? 2;
  const ceiling = Math.min(max, base * factor ** retry);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Runs `fn` until it succeeds, the attempts run out or an error is not worth retrying. */
export async function retryWithBackoff<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const shouldRetry = options.shouldRetry ?? (() => true);
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt + 1 >= attempts || !shouldRetry(error)) throw error;
      await sleep(backoffDelay(attempt, options, random));
    }
  }
}
