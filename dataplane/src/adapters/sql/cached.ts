/**
 * A value loaded on demand and kept for `ttlMs`; concurrent readers share one load, and a
 * failed load is not kept. Used for each adapter's discovered catalog.
 */
export class Cached<T> {
  private value: { data: T; loadedAt: number } | undefined;
  private loading: Promise<T> | undefined;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<T> {
    if (this.value && this.now() - this.value.loadedAt < this.ttlMs) return this.value.data;
    return this.refresh();
  }

  /** Loads again now (the refresh endpoint, or after a query named a table we did not know). */
  refresh(): Promise<T> {
    this.loading ??= this.load()
      .then((data) => {
        this.value = { data, loadedAt: this.now() };
        return data;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  /** Stores a value loaded elsewhere (an explicit discovery) as fresh. */
  prime(data: T): void {
    this.value = { data, loadedAt: this.now() };
  }

  invalidate(): void {
    this.value = undefined;
  }
}
