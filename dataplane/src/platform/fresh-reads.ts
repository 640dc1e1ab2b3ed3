/**
 * Coalesces concurrent reads of a value that must be current (a data version checked on every
 * request) without ever answering with one read before the caller arrived: a caller joins the
 * read queued to start after the one in flight, never the one in flight itself, so whatever had
 * committed when it arrived is seen. At most one read runs and one waits per key, however many
 * callers there are; each caller waits at most for the read in flight plus its own.
 */
export class FreshReads<T> {
  private readonly slots = new Map<string, { running: Promise<T>; queued?: Promise<T> }>();

  read(key: string, load: () => Promise<T>): Promise<T> {
    const slot = this.slots.get(key);
    if (!slot) return this.start(key, load);
    const settled = slot.running.then(
      () => undefined,
      () => undefined,
    );
    slot.queued ??= settled.then(() => this.start(key, load));
    return slot.queued;
  }

  private start(key: string, load: () => Promise<T>): Promise<T> {
    const running = Promise.resolve().then(load);
    const slot: { running: Promise<T>; queued?: Promise<T> } = { running };
    this.slots.set(key, slot);
    const done = () => {
      // The queued read replaces this slot when it starts; a slot nobody queued on goes.
      if (this.slots.get(key) === slot && slot.queued === undefined) this.slots.delete(key);
    };
    running.then(done, done);
    return running;
  }
}
