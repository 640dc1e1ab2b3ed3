import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PayloadTooLargeError } from './errors.js';

/**
 * An upload kept in a private temporary file until it is stored: its size and SHA-256 are known
 * before any store sees a byte, an upload over the limit never reaches one, S3 gets the length its
 * PUT needs, and no database connection waits on a slow client. Memory holds one chunk at a time.
 */
export interface SpooledFile {
  size: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
  /** A fresh stream of the content; callable more than once. */
  open(): Readable;
  /** Deletes the temporary file. */
  discard(): Promise<void>;
}

/** Counts and hashes what passes through; fails with 413 once more than `maxBytes` did. */
class UploadMeter extends Transform {
  bytes = 0;
  readonly #hash: Hash = createHash('sha256');

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      done(
        new PayloadTooLargeError(`The file is larger than ${this.maxBytes} bytes`, {
          maxBytes: this.maxBytes,
        }),
      );
      return;
    }
    this.#hash.update(chunk);
    done(null, chunk);
  }

  digest(): string {
    return this.#hash.digest('hex');
  }
}

/** Streams `source` to a temporary file; rejects (keeping nothing) on 413 or a failed source. */
export async function spoolUpload(source: Readable, maxBytes: number): Promise<SpooledFile> {
  const folder = await mkdtemp(path.join(tmpdir(), 'lt-upload-'));
  const file = path.join(folder, 'content');
  const meter = new UploadMeter(maxBytes);
  try {
    await pipeline(source, meter, createWriteStream(file, { mode: 0o600 }));
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return {
    size: meter.bytes,
    sha256: meter.digest(),
    open: () => createReadStream(file),
    discard: () => rm(folder, { recursive: true, force: true }),
  };
}
