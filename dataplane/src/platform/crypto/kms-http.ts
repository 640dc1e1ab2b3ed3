import { KmsError } from '../errors.js';
import type { FetchLike } from './kms-provider.js';

export interface KmsHttpRequest {
  fetch: FetchLike;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** e.g. `AWS KMS Decrypt`, for error messages. */
  what: string;
  timeoutMs: number;
  /** The error kind a failed response names (AWS `__type`), shown instead of its message. */
  errorKind?: (body: unknown) => string | undefined;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return {};
  }
}

/**
 * POSTs to a KMS and returns its JSON answer. Failures become KmsError naming the operation, the
 * HTTP status and at most an error kind: bodies and messages are never repeated (they may echo
 * what was sent), and neither is the request.
 */
export async function kmsPost(request: KmsHttpRequest): Promise<unknown> {
  let response: Response;
  try {
    response = await request.fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch {
    throw new KmsError(`${request.what} failed: the key service could not be reached`, 'kms_unavailable');
  }
  const body = await readJson(response);
  if (response.ok) return body;
  const kind = request.errorKind?.(body);
  const code = response.status >= 500 || response.status === 429 ? 'kms_unavailable' : 'kms_rejected';
  throw new KmsError(`${request.what} failed: HTTP ${response.status}${kind ? ` ${kind}` : ''}`, code);
}

/** A string member of a JSON answer, or a KmsError when it is missing. */
export function field(body: unknown, path: string[], what: string): string {
  let value: unknown = body;
  for (const key of path)
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new KmsError(`${what} answered without ${path.join('.')}`, 'kms_rejected');
  }
  return String(value);
}
