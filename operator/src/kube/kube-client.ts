import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/**
 * An object as the API's JSON has it (times are strings; client-node's models would have Dates).
 * The operator reads only these members of objects it does not parse further.
 */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string }[];
  };
}

/** A Kubernetes API answer other than 2xx: its HTTP status and the Status object's reason. */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export const isNotFound = (error: unknown): boolean => error instanceof KubeApiError && error.status === 404;
export const isConflict = (error: unknown): boolean => error instanceof KubeApiError && error.status === 409;

/** Where an object lives in the REST API. */
export interface ResourceRef {
  apiVersion: string;
  plural: string;
  namespace?: string;
  name?: string;
  subresource?: 'status';
}

export type PatchType = 'application/merge-patch+json' | 'application/json-patch+json';

/**
 * The Kubernetes REST calls the operator makes, on the plain JSON the API speaks (the typed
 * clients' models rename fields such as `from` and re-serialize patches). Authentication and TLS
 * come from the KubeConfig, in cluster or from a file.
 */
export class KubeClient {
  private readonly server: URL;

  constructor(private readonly kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig names no current cluster');
    this.server = new URL(cluster.server);
  }

  get<T extends KubeObject>(ref: ResourceRef): Promise<T> {
    return this.request<T>('GET', ref);
  }

  list<T extends KubeObject>(
    ref: ResourceRef,
    labelSelector?: string,
  ): Promise<{ items: T[]; metadata?: { resourceVersion?: string } }> {
    return this.request(
      'GET',
      { ...ref, name: undefined },
      undefined,
      undefined,
      labelSelector ? { labelSelector } : {},
    );
  }

  create<T extends KubeObject>(ref: ResourceRef, body: object): Promise<T> {
    return this.request<T>('POST', { ...ref, name: undefined }, body);
  }

  replace<T extends KubeObject>(ref: ResourceRef, body: object): Promise<T> {
    return this.request<T>('PUT', ref, body);
  }

  patch<T extends KubeObject>(
    ref: ResourceRef,
    patch: unknown,
    type: PatchType = 'application/merge-patch+json',
  ): Promise<T> {
    return this.request<T>('PATCH', ref, patch, type);
  }

  async delete(
    ref: ResourceRef,
    propagationPolicy: 'Background' | 'Foreground' = 'Background',
  ): Promise<void> {
    await this.request('DELETE', ref, { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy });
  }

  private async request<T>(
    method: string,
    ref: ResourceRef,
    body?: unknown,
    contentType = 'application/json',
    query: Record<string, string> = {},
  ): Promise<T> {
    const url = new URL(pathOf(ref), this.server);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const options: https.RequestOptions = {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      headers: { accept: 'application/json' },
    };
    await this.kc.applyToHTTPSOptions(options);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    // A body with its length: no chunked encoding, which some servers refuse on DELETE.
    if (payload !== undefined)
      options.headers = {
        ...options.headers,
        'content-type': contentType,
        'content-length': Buffer.byteLength(payload),
      };
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<T>((resolve, reject) => {
      const req = transport.request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          if (status >= 200 && status < 300) return resolve(parsed as T);
          const problem = (parsed ?? {}) as { reason?: string; message?: string };
          reject(
            new KubeApiError(
              status,
              problem.reason ?? 'Unknown',
              `${method} ${url.pathname}: ${status} ${problem.message ?? text.slice(0, 200)}`,
            ),
          );
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}

/** `/apis/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>[/status]]` (`/api/v1` for core). */
export function pathOf(ref: ResourceRef): string {
  const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  const scope = ref.namespace ? `${base}/namespaces/${encodeURIComponent(ref.namespace)}` : base;
  const named = ref.name
    ? `${scope}/${ref.plural}/${encodeURIComponent(ref.name)}`
    : `${scope}/${ref.plural}`;
  return ref.subresource ? `${named}/${ref.subresource}` : named;
}
