import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';

/**
 * `source` passed through, failing if it holds other than `size` bytes: the answer's
 * Content-Length promised that many, so a short or long file cuts the connection instead of
 * handing the client a different file. Destroying the result (a client gone) destroys `source`.
 */
export function exactLength(source: Readable, size: number): Readable {
  let seen = 0;
  const check = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      seen += chunk.length;
      done(seen > size ? new Error(`the stored file has more than ${size} bytes`) : null, chunk);
    },
    flush(done: TransformCallback) {
      done(seen === size ? null : new Error(`the stored file has ${seen} of ${size} bytes`));
    },
  });
  // Errors reach the reader through `check`; the callback only keeps them from being unhandled.
  return pipeline(source, check, () => undefined);
}
