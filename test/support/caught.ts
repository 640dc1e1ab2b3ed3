/** The error a promise rejects with, or undefined when it resolves: for asserting on error types. */
export const caught = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );
