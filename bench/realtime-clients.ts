import { readFileSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServer,
  DataUpdate,
  ServerToClient,
} from '../dataplane/src/realtime/realtime-events.js';

/**
 * The client side of the realtime benchmark, in a process of its own (forked by
 * `realtime.bench.ts`), so that decoding 1,000 copies of every event does not share the
 * servers' event loop. It opens socket.io-client sockets (websocket transport), subscribes each
 * to a room, and times every `data:update` it is told to watch for. Times are
 * `process.hrtime` (CLOCK_MONOTONIC): the same clock in both processes.
 */

export interface SocketSpec {
  url: string;
  workspaceId: string;
  token: string;
  room: string;
  /** Which server the socket is on (0, 1…): arrivals are reported with it. */
  group: number;
}

export type ToClients =
  | { type: 'connect'; set: string; sockets: SocketSpec[]; concurrency: number }
  /** Count the arrivals of these row changes (`<rowId>@<version>`) on every socket of `set`. */
  | { type: 'watch'; set: string; keys: string[]; record: boolean; timeoutMs: number }
  | { type: 'usage' }
  | { type: 'disconnect'; set: string }
  | { type: 'exit' };

export interface Done {
  type: 'done';
  set: string;
  /** Row changes received that were watched for (a change on one socket is one delivery). */
  deliveries: number;
  expected: number;
  /** `data:update` messages that carried them. */
  messages: number;
  /** Row changes received meanwhile that were not watched for. */
  stray: number;
  /** Arrival time (ms, monotonic) of the last watched delivery. */
  last: number;
  /** With `record`: every delivery's arrival time, and its socket's group, in arrival order. */
  times: number[];
  groups: number[];
  /** The first `data:update` received, as the client decoded it. */
  sample?: DataUpdate;
  timedOut: boolean;
}

export type FromClients =
  | { type: 'connected'; set: string; count: number; failures: string[]; ms: number }
  | { type: 'watching' }
  | Done
  | { type: 'usage'; cpuMs: number; openFiles: { soft: string; hard: string }; pid: number }
  | { type: 'disconnected'; set: string };

type ClientSocket = Socket<ServerToClient, ClientToServer>;

const now = (): number => Number(process.hrtime.bigint()) / 1e6;

/** This process's limits on open files (`ulimit -n`, soft and hard): each socket is one. */
function openFilesLimit(): { soft: string; hard: string } {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft = '?', hard = '?'] = line?.replace('Max open files', '').trim().split(/\s+/) ?? [];
  return { soft, hard };
}

interface Watch {
  set: string;
  keys: Set<string>;
  record: boolean;
  expected: number;
  deliveries: number;
  messages: number;
  stray: number;
  last: number;
  times: number[];
  groups: number[];
  sample?: DataUpdate;
  timer: NodeJS.Timeout;
}

const sets = new Map<string, ClientSocket[]>();
let watch: Watch | undefined;

const send = (message: FromClients): void => void process.send?.(message);

function finish(timedOut: boolean): void {
  const w = watch;
  if (!w) return;
  watch = undefined;
  clearTimeout(w.timer);
  send({
    type: 'done',
    set: w.set,
    deliveries: w.deliveries,
    expected: w.expected,
    messages: w.messages,
    stray: w.stray,
    last: w.last,
    times: w.times,
    groups: w.groups,
    ...(w.sample ? { sample: w.sample } : {}),
    timedOut,
  });
}

function received(set: string, group: number, update: DataUpdate): void {
  const t = now();
  const w = watch;
  if (!w || w.set !== set) return;
  w.messages++;
  w.sample ??= update;
  for (const row of update.rows) {
    if (!w.keys.has(`${row.id}@${row.version}`)) {
      w.stray++;
      continue;
    }
    w.deliveries++;
    w.last = t;
    if (w.record) {
      w.times.push(t);
      w.groups.push(group);
    }
  }
  if (w.deliveries >= w.expected) finish(false);
}

/** One socket, connected and subscribed; rejects with the reason it is not. */
async function open(set: string, spec: SocketSpec): Promise<ClientSocket> {
  const socket: ClientSocket = io(`${spec.url}/ws/${spec.workspaceId}`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: 30_000,
    auth: { token: spec.token },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => reject(error));
    });
    const answer = (await socket.timeout(30_000).emitWithAck('subscribe', { room: spec.room })) as {
      ok: boolean;
      error?: unknown;
    };
    if (!answer.ok) throw new Error(`subscribe refused: ${JSON.stringify(answer.error)}`);
  } catch (error) {
    socket.disconnect();
    throw error;
  }
  socket.on('data:update', (update) => received(set, spec.group, update));
  return socket;
}

async function connect(set: string, specs: SocketSpec[], concurrency: number): Promise<void> {
  const started = now();
  const sockets = sets.get(set) ?? [];
  sets.set(set, sockets);
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const spec = specs[next++] as SocketSpec;
      try {
        sockets.push(await open(set, spec));
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  send({
    type: 'connected',
    set,
    count: sockets.length,
    failures: failures.slice(0, 5),
    ms: now() - started,
  });
}

function disconnect(set: string): void {
  for (const socket of sets.get(set) ?? []) socket.disconnect();
  sets.delete(set);
}

if (process.send)
  process.on('message', (message: ToClients) => {
    switch (message.type) {
      case 'connect':
        void connect(message.set, message.sockets, message.concurrency);
        break;
      case 'watch': {
        finish(true); // an unfinished watch is over
        const keys = new Set(message.keys);
        watch = {
          set: message.set,
          keys,
          record: message.record,
          expected: keys.size * (sets.get(message.set)?.length ?? 0),
          deliveries: 0,
          messages: 0,
          stray: 0,
          last: 0,
          times: [],
          groups: [],
          timer: setTimeout(() => finish(true), message.timeoutMs),
        };
        send({ type: 'watching' });
        break;
      }
      case 'usage': {
        const cpu = process.cpuUsage();
        send({
          type: 'usage',
          cpuMs: (cpu.user + cpu.system) / 1000,
          openFiles: openFilesLimit(),
          pid: process.pid,
        });
        break;
      }
      case 'disconnect':
        disconnect(message.set);
        send({ type: 'disconnected', set: message.set });
        break;
      case 'exit':
        for (const set of [...sets.keys()]) disconnect(set);
        process.disconnect();
        break;
    }
  });

// The bench process is gone (it failed, or was stopped): so is the point of these sockets.
if (process.send)
  process.on('disconnect', () => {
    for (const sockets of sets.values()) for (const socket of sockets) socket.disconnect();
    setTimeout(() => process.exit(0), 100).unref();
  });
