/**
 * Runs `check` until it passes, for at most `ms`: for what happens asynchronously (another
 * replica hearing of a change, a controller's reconcile). Rethrows the last failure on timeout.
 */
export async function eventually<T>(check: () => Promise<T>, ms = 15_000, pauseMs = 50): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}
