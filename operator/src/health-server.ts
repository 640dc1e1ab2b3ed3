import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthSource {
  /** The informers have listed once. */
  readonly isSynced: boolean;
  readonly isLeader: boolean;
}

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

/**
 * `/healthz` (the process answers), `/readyz` (caches synced; a standby is ready too, so a
 * rollout does not wait for a leader), and `/metrics` (Prometheus text).
 */
export async function startHealthServer(
  port: number,
  host: string,
  source: HealthSource,
  registry: Registry,
): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const text = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET') return text(405, 'method not allowed\n');
    if (path === '/healthz') return text(200, 'ok\n');
    if (path === '/readyz')
      return source.isSynced
        ? text(200, source.isLeader ? 'ok: leader\n' : 'ok: standby\n')
        : text(503, 'caches not synced\n');
    if (path === '/metrics') {
      registry.metrics().then(
        (body) => text(200, body, registry.contentType),
        (error: unknown) => text(500, `metrics failed: ${String(error)}\n`),
      );
      return;
    }
    return text(404, 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
