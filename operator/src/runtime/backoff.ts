export interface BackoffOptions {
  /** The first retry's ceiling. Default 5 ms. */
  baseMs: number;
  /** No ceiling grows beyond this. Default 5 minutes. */
  maxMs: number;
  /** [0, 1); injectable for tests. Default Math.random. */
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 5, maxMs: 300_000, random: Math.random };

/**
 * The delay before retry number `failures` (1, 2, ...): the ceiling `base·2^(failures-1)`, capped,
 * with equal jitter (half fixed, half random), so retries of many keys failing together spread
 * out while each still waits at least half its ceiling.
 */
export function backoffDelay(failures: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const exponent = Math.max(0, failures - 1);
  // 2^exponent overflows to Infinity long after the cap; min() keeps the cap.
  const ceiling = Math.min(options.baseMs * 2 ** exponent, options.maxMs);
  return ceiling / 2 + options.random() * (ceiling / 2);
}
