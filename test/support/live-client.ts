import { io, type Socket } from 'socket.io-client';
import type { ClientToServer, ServerToClient } from '../../dataplane/src/realtime/realtime-events.js';

export type LiveClientSocket = Socket<ServerToClient, ClientToServer>;

/** What the server answers to a client event: its acknowledgement. */
// Tests read arbitrary acknowledgement JSON; chai checks its shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AckAnswer = any;

/**
 * A socket.io client of one workspace's namespace, as an app would open it, recording every
 * server event it receives in order.
 */
export class LiveClient {
  readonly socket: LiveClientSocket;
  readonly received: { event: string; payload: AckAnswer }[] = [];
  private waiters: (() => void)[] = [];

  constructor(
    url: string,
    workspaceId: string,
    token: string | (() => string),
    options: { recover?: boolean } = {},
  ) {
    this.socket = io(`${url}/ws/${workspaceId}`, {
      transports: ['websocket'],
      reconnection: options.recover ?? false,
      reconnectionDelay: 50,
      reconnectionDelayMax: 200,
      auth: (cb) => cb({ token: typeof token === 'function' ? token() : token }),
    });
    this.socket.onAny((event: string, payload: unknown) => {
      this.received.push({ event, payload });
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Resolves once connected; rejects with the server's problem document on refusal. */
  connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', (error: Error & { data?: unknown }) =>
        reject(Object.assign(new Error(error.message), { problem: error.data })),
      );
    });
  }

  /** The server's acknowledgement of one event. */
  send(event: keyof ClientToServer, payload: unknown): Promise<AckAnswer> {
    return (this.socket.timeout(10_000).emitWithAck as (e: string, p: unknown) => Promise<AckAnswer>)(
      event,
      payload,
    );
  }

  async subscribe(room: string): Promise<AckAnswer> {
    const answer = await this.send('subscribe', { room });
    if (!answer.ok) throw new Error(`subscribe ${room} refused: ${JSON.stringify(answer.error)}`);
    return answer;
  }

  /** Payloads of `event` received so far. */
  events(event: string): AckAnswer[] {
    return this.received.filter((r) => r.event === event).map((r) => r.payload);
  }

  /** Waits until `count` `event`s have arrived (15 s at most), then returns them all. */
  async waitFor(event: string, count = 1, ms = 15_000): Promise<AckAnswer[]> {
    const deadline = Date.now() + ms;
    while (this.events(event).length < count) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`waited ${ms} ms for ${count} ${event}, got ${JSON.stringify(this.events(event))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.events(event);
  }

  close(): void {
    this.socket.disconnect();
  }
}
