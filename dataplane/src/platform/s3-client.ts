import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { S3Config } from './attachments.config.js';
import { signAwsRequest, uriEncode } from './crypto/aws-sigv4.js';
import { NotFoundError, ServiceUnavailableError } from './errors.js';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface S3ClientOptions extends S3Config {
  fetch?: FetchLike;
  now?: () => Date;
  /** How long to wait for the answer's headers (bodies then stream for as long as they take). */
  timeoutMs?: number;
}

const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

/**
 * PUT, GET, DELETE and server-side copies of single objects on an S3-compatible store (AWS S3, MinIO, Ceph, R2, …)
 * over plain HTTP, signed with SigV4. URLs are path-style (`<endpoint>/<bucket>/<key>`), which
 * every S3-compatible store serves. Failures name the operation and the HTTP status only.
 */
export class S3Client {
  readonly #options: S3ClientOptions;
  readonly #fetch: FetchLike;

  constructor(options: S3ClientOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
  }

  /** Uploads `body` (exactly `size` bytes whose SHA-256 is `sha256`): S3 checks both. */
  async putObject(
    key: string,
    body: Readable,
    content: { size: number; sha256: string; contentType: string },
  ): Promise<void> {
    const headers = { 'content-length': String(content.size), 'content-type': content.contentType };
    const response = await this.#send('PUT', key, headers, content.sha256, body);
    await response.body?.cancel();
    if (!response.ok) throw failure('PUT', response.status);
  }

  /** The object's bytes, streamed as they arrive; 404 when it is not there. */
  async getObject(key: string): Promise<Readable> {
    const response = await this.#send('GET', key, {}, EMPTY_SHA256);
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      if (response.status === 404) throw new NotFoundError('Attachment content');
      throw failure('GET', response.status);
    }
    return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  }

  /**
   * Copies object `sourceKey` of the bucket to `key` inside the store (CopyObject: a PUT naming
   * `x-amz-copy-source`, signed like every x-amz header), so the bytes never pass through here.
   * S3 may answer 200 with an error document when a copy fails late: only a CopyObjectResult
   * counts as done.
   */
  async copyObject(sourceKey: string, key: string): Promise<void> {
    const source = `/${uriEncode(this.#options.bucket)}/${encodeKey(sourceKey)}`;
    const headers = { 'content-length': '0', 'x-amz-copy-source': source };
    const response = await this.#send('PUT', key, headers, EMPTY_SHA256);
    if (!response.ok) {
      await response.body?.cancel();
      throw failure('COPY', response.status);
    }
    if (!(await response.text()).includes('<CopyObjectResult'))
      throw new ServiceUnavailableError(
        'S3 COPY failed: the store reported an error',
        'object_store_unavailable',
      );
  }

  /** Deletes the object; one that is already gone is no error. */
  async deleteObject(key: string): Promise<void> {
    const response = await this.#send('DELETE', key, {}, EMPTY_SHA256);
    await response.body?.cancel();
    if (!response.ok && response.status !== 404) throw failure('DELETE', response.status);
  }

  #url(key: string): URL {
    const url = new URL(this.#options.endpoint);
    const base = url.pathname.replace(/\/+$/, '');
    url.pathname = `${base}/${uriEncode(this.#options.bucket)}/${encodeKey(key)}`;
    url.search = '';
    return url;
  }

  async #send(
    method: 'PUT' | 'GET' | 'DELETE',
    key: string,
    headers: Record<string, string>,
    payloadHash: string,
    body?: Readable,
  ): Promise<Response> {
    const url = this.#url(key);
    const signed = signAwsRequest({
      method,
      url,
      headers: { ...headers, 'x-amz-content-sha256': payloadHash },
      body: '',
      payloadHash,
      region: this.#options.region,
      service: 's3',
      credentials: {
        accessKeyId: this.#options.accessKeyId,
        secretAccessKey: this.#options.secretAccessKey,
      },
      now: this.#options.now?.() ?? new Date(),
    });
    // fetch derives Host from the URL (the same value that was signed) and refuses to be told it.
    delete signed.host;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.#options.timeoutMs ?? 60_000);
    try {
      return await this.#fetch(url.href, {
        method,
        headers: signed,
        signal: abort.signal,
        // A Node stream is an async iterable of bytes, which fetch streams with duplex 'half'.
        ...(body ? { body: body as unknown as RequestInit['body'], duplex: 'half' } : {}),
      } as RequestInit);
    } catch {
      throw new ServiceUnavailableError(
        `S3 ${method} failed: the object store could not be reached`,
        'object_store_unavailable',
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A key in a URL path: each segment percent-encoded, the slashes kept. */
const encodeKey = (key: string): string => key.split('/').map(uriEncode).join('/');

function failure(method: string, status: number): ServiceUnavailableError {
  const code = status >= 500 || status === 429 ? 'object_store_unavailable' : 'object_store_rejected';
  return new ServiceUnavailableError(`S3 ${method} failed: HTTP ${status}`, code);
}
