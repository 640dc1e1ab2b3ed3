import type { InFlight } from './in-flight.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      resolve(`http://${shownHost}:${address.port}`);
    });
  });
}

/**
 * Stops accepting connections, lets in-flight requests finish, and after `timeoutMs` cuts
 * whatever is still open. Idle keep-alive sockets are closed as soon as they become idle.
 */
export async function closeGracefully(server: Server, timeoutMs: number, inFlight: InFlight): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await closeServer(server, timeoutMs);
  // Handlers of requests whose client hung up are still running: let them finish (bounded).
  await inFlight.drained(Math.max(0, deadline - Date.now()));
}

function closeServer(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const sweeper = setInterval(() => server.closeIdleConnections(), 100);
    const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
    server.close(() => {
      clearInterval(sweeper);
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}
