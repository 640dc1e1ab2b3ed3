import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import Koa from 'koa';
import { Server } from 'socket.io';
import { listen } from '../dataplane/src/platform/http-server.js';
import { createRedis, type Redis } from '../dataplane/src/platform/redis.js';
import type { DataUpdate } from '../dataplane/src/realtime/realtime-events.js';
import { REALTIME } from '../dataplane/src/realtime/realtime-server.js';
import { PrivateRedis } from '../test/support/private-redis.js';
import { registerUser, startTestApp, type TestApp } from '../test/support/test-app.js';
import { HttpCaller } from './http-caller.js';
import { formatGrid, percentile, type Benchmark } from './measure.js';
import type { Done, FromClients, SocketSpec, ToClients } from './realtime-clients.js';

/** Connected clients per path (LT_BENCH_CLIENTS overrides: 100 while developing). */
const CLIENTS = clientsToConnect(process.env.LT_BENCH_CLIENTS);
/** Latency: one write at a time, every client's arrival timed. */
const LATENCY = { warmup: 20, rounds: 200 };
/** Fan-out: bursts of `writes` writes (a row each) sent by `callers` concurrent keep-alive connections. */
const BURST = { writes: 200, callers: 4, warmup: 1, measured: 3 };
/** Clients belong to this many users (members of the workspace): the per-user event limit allows 200 in a burst. */
const USERS = 20;
const CONNECT_CONCURRENCY = 50;
const GOAL = { p99Ms: 50, fanOut: 0.7 };
const STATUSES = ['open', 'done', 'hold'];
const COLUMNS = [
  { name: 'Name', type: 'text' },
  { name: 'Qty', type: 'integer' },
  { name: 'Price', type: 'decimal', options: { precision: 2 } },
  { name: 'Due', type: 'date' },
  { name: 'Status', type: 'singleSelect', options: { choices: STATUSES } },
] as const;

function clientsToConnect(value: string | undefined): number {
  const n = Number(value ?? 1_000);
  if (!Number.isSafeInteger(n) || n < 2)
    throw new Error(`LT_BENCH_CLIENTS must be an integer ≥ 2, not ${value}`);
  return n;
}

/** Milliseconds on CLOCK_MONOTONIC, the clock the client process stamps arrivals with. */
const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const int = (n: number): string => Math.round(n).toLocaleString('en');
const ms = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const median = (values: readonly number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
const ascending = (values: number[]): number[] => values.sort((a, b) => a - b);

/** This process's limits on open files (`ulimit -n`, soft and hard): each socket is one. */
function openFilesLimit(): { soft: string; hard: string } {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft = '?', hard = '?'] = line?.replace('Max open files', '').trim().split(/\s+/) ?? [];
  return { soft, hard };
}

/**
 * Each process holds up to two sockets per client (one per path) besides its own files: refuse
 * to start where `ulimit -n` would make connections fail midway.
 */
function assertOpenFiles(who: string, limit: { soft: string }): void {
  const needed = 2 * CLIENTS + 256;
  const soft = limit.soft === 'unlimited' ? Infinity : Number(limit.soft);
  if (!(soft >= needed))
    throw new Error(
      `realtime bench: the ${who} may open ${limit.soft} files, ${needed} are needed for ${CLIENTS} clients: raise ulimit -n`,
    );
}

const limits = (l: { soft: string; hard: string }): string => `${l.soft} soft, ${l.hard} hard`;

/** The machine's CPU time counters (/proc/stat, all CPUs): busy and total, in ticks. */
function machineTicks(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const total = fields.reduce((sum, n) => sum + n, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle, iowait
  return { busy: total - idle, total };
}

function versionOf(pkg: string): string {
  const require = createRequire(import.meta.url);
  const path = require.resolve(`${pkg}/package.json`);
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

// --- the client process ----------------------------------------------------------------------

type Reply<T extends FromClients['type']> = Extract<FromClients, { type: T }>;

/** The clients: a child process (bench/realtime-clients.ts), driven over IPC one command at a time. */
class Fleet {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<
    string,
    { resolve: (m: FromClients) => void; reject: (e: Error) => void }[]
  >();
  private exited?: Error;

  constructor() {
    // tsx's loader comes with execArgv, which fork passes on.
    this.child = fork(new URL('./realtime-clients.ts', import.meta.url), { stdio: 'inherit' });
    this.child.on('message', (message: FromClients) =>
      this.waiting.get(message.type)?.shift()?.resolve(message),
    );
    this.child.on('exit', (code, signal) => {
      this.exited = new Error(`the client process exited (${signal ?? code})`);
      for (const list of this.waiting.values()) for (const w of list.splice(0)) w.reject(this.exited);
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** The next reply of that type (registered before the command that causes it is sent). */
  private next<T extends FromClients['type']>(type: T): Promise<Reply<T>> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(type) ?? [];
      list.push({ resolve: resolve as (m: FromClients) => void, reject });
      this.waiting.set(type, list);
    });
  }

  private send(message: ToClients): void {
    this.child.send(message);
  }

  async connect(set: string, sockets: SocketSpec[]): Promise<Reply<'connected'>> {
    const reply = this.next('connected');
    this.send({ type: 'connect', set, sockets, concurrency: CONNECT_CONCURRENCY });
    const connected = await reply;
    if (connected.count !== sockets.length)
      throw new Error(
        `realtime bench: ${connected.count} of ${sockets.length} sockets connected (${set}): ${connected.failures.join('; ')}`,
      );
    return connected;
  }

  /**
   * Resolves once the clients watch for `keys`, with the promise of what they received (in an
   * object: an async function returning a promise would wait for it).
   */
  async watch(
    set: string,
    keys: string[],
    record: boolean,
    timeoutMs: number,
  ): Promise<{ done: Promise<Done> }> {
    const watching = this.next('watching');
    const done = this.next('done');
    done.catch(() => undefined);
    this.send({ type: 'watch', set, keys, record, timeoutMs });
    await watching;
    return { done };
  }

  async usage(): Promise<Reply<'usage'>> {
    const reply = this.next('usage');
    this.send({ type: 'usage' });
    return reply;
  }

  async disconnect(set: string): Promise<void> {
    const reply = this.next('disconnected');
    this.send({ type: 'disconnect', set });
    await reply;
  }

  async exit(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.send({ type: 'exit' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

// --- the bare socket.io baseline ----------------------------------------------------------------

interface Bare {
  url: string;
  /** What the PATCH answered: the bare server answers the same bytes. */
  answer(body: string): void;
  /** The dataplane's event: the bare one sends the same fields, tableId, actor and epoch. */
  template(update: DataUpdate): void;
  close(): Promise<void>;
}

/**
 * socket.io on a koa app's server, with the dataplane's socket.io settings (path, pings,
 * connection state recovery) and, given Redis, @socket.io/redis-streams-adapter on a stream of
 * its own. `subscribe` joins the room and acknowledges; a PATCH emits one `data:update` (the row
 * of the path, the body's version + 1) to the room and answers.
 */
async function startBare(
  workspaceId: string,
  room: string,
  first: DataUpdate,
  redisUrl?: string,
): Promise<Bare> {
  let answer = '{}';
  let template = first;
  let seq = 0;
  const redis: Redis | undefined = redisUrl ? createRedis(redisUrl, 'bench-bare-socket-io') : undefined;
  const io = new Server({
    path: REALTIME.path,
    serveClient: false,
    pingInterval: REALTIME.pingIntervalMs,
    pingTimeout: REALTIME.pingTimeoutMs,
    connectionStateRecovery: { maxDisconnectionDuration: REALTIME.recoveryMs, skipMiddlewares: false },
    adapter: redis
      ? createAdapter(redis, {
          streamName: 'lt:bench:bare:stream',
          maxLen: REALTIME.streamMaxLen,
          sessionKeyPrefix: 'lt:bench:bare:session:',
          channelPrefix: 'lt:bench:bare',
        })
      : undefined,
  });
  const nsp = io.of(`/ws/${workspaceId}`);
  nsp.on('connection', (socket) => {
    socket.on('subscribe', (request: { room: string }, ack: (answer: unknown) => void) => {
      void socket.join(request.room);
      ack({ ok: true, room: request.room });
    });
  });
  const app = new Koa();
  app.use(async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { version: number };
    const id = ctx.path.slice(ctx.path.lastIndexOf('/') + 1);
    const fields = template.rows[0]?.fields ?? {};
    nsp.to(room).emit('data:update', {
      ...template,
      rows: [{ id, version: body.version + 1, fields }],
      at: new Date().toISOString(),
      seq: ++seq,
    });
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = answer;
  });
  // After app.use: koa composes its middleware when the callback is taken.
  const server = createServer(app.callback());
  io.attach(server); // the options given above apply
  const url = await listen(server, 0, '127.0.0.1');
  return {
    url,
    answer: (text) => void (answer = text),
    template: (update) => void (template = update),
    async close() {
      await io.close();
      redis?.disconnect();
    },
  };
}

// --- what every section writes ------------------------------------------------------------------

interface Fixture {
  workspaceId: string;
  tableId: string;
  ownerToken: string;
  /** One token per user the clients belong to. */
  tokens: string[];
  rowIds: string[];
  /** The rows' versions in the database (every case's dataplanes write the same rows). */
  versions: Map<string, number>;
  /** The answer to a PATCH and its event's shape, for the bare servers. */
  template: DataUpdate;
}

/** One way of writing a row change and hearing of it: the dataplane's, or the bare baseline's. */
interface Path {
  name: string;
  /** The client set (in the client process) subscribed to it. */
  set: string;
  /** One keep-alive connection per server, for writes one after another. */
  callers: HttpCaller[];
  /** BURST.callers connections, the i-th to server i % servers. */
  burstCallers: HttpCaller[];
  urls: string[];
  rowPath(rowId: string): string;
  headers: Record<string, string>;
  /** Every row's current version (both paths count alike: each write adds one). */
  versions: Map<string, number>;
  /** Whether to check the answer's version (the bare answers fixed bytes). */
  checkAnswer: boolean;
  close(): void;
}

function path(
  name: string,
  set: string,
  urls: string[],
  rowPath: (rowId: string) => string,
  token: string,
  versions: Map<string, number>,
  checkAnswer: boolean,
): Path {
  const callers = urls.map((url) => new HttpCaller(url));
  const burstCallers = Array.from(
    { length: BURST.callers },
    (_, i) => new HttpCaller(urls[i % urls.length] as string),
  );
  return {
    name,
    set,
    callers,
    burstCallers,
    urls,
    rowPath,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    versions,
    checkAnswer,
    close: () => [...callers, ...burstCallers].forEach((c) => c.close()),
  };
}

const keyOfNext = (p: Path, rowId: string): string => `${rowId}@${(p.versions.get(rowId) ?? 0) + 1}`;

/** PATCH of one field with the row's version; the answer read (and its version checked). */
async function write(p: Path, caller: HttpCaller, rowId: string): Promise<string> {
  const version = p.versions.get(rowId) ?? 0;
  const body = JSON.stringify({ fields: { Qty: version % 1000 }, version });
  const res = await caller.call('PATCH', p.rowPath(rowId), p.headers, body);
  if (res.status !== 200)
    throw new Error(`realtime bench: ${p.name}: PATCH answered ${res.status} ${res.body.slice(0, 300)}`);
  if (p.checkAnswer && (JSON.parse(res.body) as { version: number }).version !== version + 1)
    throw new Error(`realtime bench: ${p.name}: the PATCH answered another version than ${version + 1}`);
  p.versions.set(rowId, version + 1);
  return res.body;
}

async function seed(app: TestApp): Promise<Fixture> {
  const owner = await registerUser(app, 'rt-bench-owner');
  const created = async (path: string, body: unknown): Promise<{ id: string }> => {
    const res = await app.request('POST', path, { token: owner.accessToken, body });
    if (res.status !== 201)
      throw new Error(`realtime bench: POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string };
  };
  const workspace = await created('/api/v1/workspaces', { name: 'Realtime bench' });
  const base = await created(`/api/v1/workspaces/${workspace.id}/bases`, { name: 'Base' });
  const table = await created(`/api/v1/bases/${base.id}/tables`, { name: 'Tasks', columns: COLUMNS });
  const rows = Array.from({ length: BURST.writes }, (_, g) => ({
    fields: { Name: `task ${g}`, Qty: 0, Price: g / 4, Due: '2024-06-01', Status: STATUSES[g % 3] },
  }));
  const bulk = await app.request('POST', `/api/v1/tables/${table.id}/rows/bulk`, {
    token: owner.accessToken,
    body: { operation: 'create', rows },
  });
  if (bulk.status !== 200)
    throw new Error(`realtime bench: bulk create: ${bulk.status} ${JSON.stringify(bulk.body)}`);
  const made = bulk.body.data as { id: string; version: number }[];
  const rowIds = made.map((r) => r.id);
  const versions = new Map(made.map((r) => [r.id, r.version]));
  const tokens: string[] = [];
  for (let i = 0; i < USERS; i++) {
    const user = await registerUser(app, `rt-bench-${i}`);
    await app.dataplane
      .knex('workspace_members')
      .insert({ workspace_id: workspace.id, user_id: user.id, role: 'viewer' });
    tokens.push(user.accessToken);
  }
  // The shape of the event a PATCH makes, until the dataplane's own first one replaces it.
  const first = bulk.body.data[0] as { id: string; version: number; fields: Record<string, unknown> };
  const template: DataUpdate = {
    tableId: table.id,
    op: 'update',
    rows: [{ id: first.id, version: first.version, fields: first.fields }],
    actor: owner.id,
    at: new Date().toISOString(),
    seq: 0,
    epoch: 'local-00000000',
  };
  return {
    workspaceId: workspace.id,
    tableId: table.id,
    ownerToken: owner.accessToken,
    tokens,
    rowIds,
    versions,
    template,
  };
}

// --- 1. write → event latency -----------------------------------------------------------------

interface LatencyFigures {
  path: Path;
  /** Every arrival, ms after the write was sent. */
  arrivals: number[];
  /** Arrivals at clients of the server that took the write, and of the other(s). */
  local: number[];
  remote: number[];
  http: number[];
  missing: number;
  stray: number;
}

/** Rounds of one write per path (order rotating), each waited for until every client has it. */
async function latency(fleet: Fleet, paths: Path[], rowId: string): Promise<LatencyFigures[]> {
  const figures: LatencyFigures[] = paths.map((p) => ({
    path: p,
    arrivals: [],
    local: [],
    remote: [],
    http: [],
    missing: 0,
    stray: 0,
  }));
  for (let round = 0; round < LATENCY.warmup + LATENCY.rounds; round++) {
    for (let k = 0; k < paths.length; k++) {
      const f = figures[(round + k) % paths.length] as LatencyFigures;
      const p = f.path;
      const server = round % p.callers.length; // writes alternate between the servers
      const { done } = await fleet.watch(p.set, [keyOfNext(p, rowId)], true, 10_000);
      const sent = now();
      await write(p, p.callers[server] as HttpCaller, rowId);
      const answered = now();
      const d = await done;
      if (round < LATENCY.warmup) continue;
      f.http.push(answered - sent);
      f.missing += d.expected - d.deliveries;
      f.stray += d.stray;
      d.times.forEach((t, i) => {
        f.arrivals.push(t - sent);
        (d.groups[i] === server ? f.local : f.remote).push(t - sent);
      });
    }
  }
  for (const f of figures) [f.arrivals, f.local, f.remote, f.http].forEach(ascending);
  return figures;
}

// --- 2. fan-out -----------------------------------------------------------------------------------

interface BurstFigures {
  /** From the first request sent to the last delivery. */
  ms: number;
  deliveries: number;
  expected: number;
  messages: number;
  /** Until the last write was answered. */
  httpMs: number;
  benchCpuMs: number;
  clientCpuMs: number;
  /** Share of all the machine's CPUs busy meanwhile (any process: PostgreSQL, Redis, other work). */
  machineBusy: number;
}

/** BURST.writes writes, a row each, as fast as BURST.callers connections send them. */
async function sendBurst(p: Path): Promise<number> {
  const ids = [...p.versions.keys()].slice(0, BURST.writes);
  let next = 0;
  const started = now();
  await Promise.all(
    p.burstCallers.map(async (caller) => {
      for (let id = ids[next++]; id !== undefined; id = ids[next++]) await write(p, caller, id);
    }),
  );
  return now() - started;
}

async function burst(fleet: Fleet, p: Path): Promise<BurstFigures> {
  const keys = [...p.versions.keys()].slice(0, BURST.writes).map((id) => keyOfNext(p, id));
  const { done } = await fleet.watch(p.set, keys, false, 60_000);
  const clientCpu = (await fleet.usage()).cpuMs;
  const benchCpu = process.cpuUsage();
  const machine = machineTicks();
  const started = now();
  const httpMs = await sendBurst(p);
  const d = await done;
  const cpu = process.cpuUsage(benchCpu);
  const machineAfter = machineTicks();
  return {
    ms: d.last - started,
    deliveries: d.deliveries,
    expected: d.expected,
    messages: d.messages,
    httpMs,
    benchCpuMs: (cpu.user + cpu.system) / 1000,
    clientCpuMs: (await fleet.usage()).cpuMs - clientCpu,
    machineBusy: (machineAfter.busy - machine.busy) / Math.max(1, machineAfter.total - machine.total),
  };
}

/** Warm-up bursts, then measured ones, the paths alternating; the median burst of each path. */
async function fanOut(fleet: Fleet, paths: Path[]): Promise<BurstFigures[]> {
  const runs = paths.map(() => [] as BurstFigures[]);
  for (let i = 0; i < BURST.warmup + BURST.measured; i++)
    for (let k = 0; k < paths.length; k++) {
      const j = (i + k) % paths.length;
      const figures = await burst(fleet, paths[j] as Path);
      if (i >= BURST.warmup) runs[j]?.push(figures);
    }
  return runs.map((list) => {
    const sorted = [...list].sort((a, b) => b.deliveries / b.ms - a.deliveries / a.ms);
    return sorted[Math.floor(sorted.length / 2)] as BurstFigures;
  });
}

/** Writes/s of each path's HTTP side with no client connected: the same bursts, medians. */
async function httpAlone(paths: Path[]): Promise<number[]> {
  const rates = paths.map(() => [] as number[]);
  for (let i = 0; i < BURST.warmup + BURST.measured; i++)
    for (let k = 0; k < paths.length; k++) {
      const j = (i + k) % paths.length;
      const took = await sendBurst(paths[j] as Path);
      if (i >= BURST.warmup) rates[j]?.push(BURST.writes / (took / 1000));
    }
  return rates.map(median);
}

// --- a case: servers, clients, both sections -------------------------------------------------

interface CaseResult {
  title: string;
  latency: LatencyFigures[];
  fanOut: BurstFigures[];
  httpAlone: number[];
  payloadBytes: number[];
  connectMs: number[];
}

/** Every client: one socket per path, client i on server i % servers, as user i % USERS. */
function sockets(f: Fixture, urls: string[]): SocketSpec[] {
  return Array.from({ length: CLIENTS }, (_, i) => ({
    url: urls[i % urls.length] as string,
    workspaceId: f.workspaceId,
    token: f.tokens[i % f.tokens.length] as string,
    room: `table:${f.tableId}`,
    group: i % urls.length,
  }));
}

/** One write watched on every client: its event (for the bare template and the payload size). */
async function probe(fleet: Fleet, p: Path): Promise<DataUpdate> {
  const rowId = p.versions.keys().next().value as string;
  const { done } = await fleet.watch(p.set, [keyOfNext(p, rowId)], false, 10_000);
  await write(p, p.callers[0] as HttpCaller, rowId);
  const d = await done;
  if (d.timedOut || !d.sample)
    throw new Error(
      `realtime bench: ${p.name}: ${d.deliveries} of ${d.expected} clients heard the probe (${d.messages} messages, ${d.stray} other changes)`,
    );
  return d.sample;
}

async function runCase(
  fleet: Fleet,
  f: Fixture,
  title: string,
  dataplanes: TestApp[],
  bares: Bare[],
  tag: string,
): Promise<CaseResult> {
  const servers = dataplanes.length;
  const dp = path(
    `dataplane PATCH /tables/:id/rows/:rowId → data:update (${servers === 1 ? 'in-process adapter' : `${servers} replicas, Redis Streams adapter`})`,
    `${tag}-dataplane`,
    dataplanes.map((a) => a.url),
    (rowId) => `/api/v1/tables/${f.tableId}/rows/${rowId}`,
    f.ownerToken,
    f.versions,
    true,
  );
  const bare = path(
    `bare socket.io: PATCH → io.to(room).emit (${servers === 1 ? 'in-process adapter' : `${servers} servers, redis-streams-adapter`})`,
    `${tag}-bare`,
    bares.map((b) => b.url),
    (rowId) => `/bare/rows/${rowId}`,
    f.ownerToken,
    new Map(f.rowIds.map((id) => [id, 1])),
    false,
  );
  const paths = [dp, bare];
  try {
    // The bare servers answer what the dataplane answers.
    const answer = await write(dp, dp.callers[0] as HttpCaller, f.rowIds[0] as string);
    for (const b of bares) b.answer(answer);
    const alone = await httpAlone(paths);
    const connected = [
      await fleet.connect(dp.set, sockets(f, dp.urls)),
      await fleet.connect(bare.set, sockets(f, bare.urls)),
    ];
    const sample = await probe(fleet, dp);
    for (const b of bares) b.template(sample);
    const bareSample = await probe(fleet, bare);
    const result: CaseResult = {
      title,
      latency: await latency(fleet, paths, f.rowIds[0] as string),
      fanOut: await fanOut(fleet, paths),
      httpAlone: alone,
      payloadBytes: [sample, bareSample].map((s) => Buffer.byteLength(JSON.stringify(s))),
      connectMs: connected.map((c) => c.ms),
    };
    await fleet.disconnect(dp.set);
    await fleet.disconnect(bare.set);
    return result;
  } finally {
    for (const p of paths) p.close();
  }
}

// --- output ---------------------------------------------------------------------------------------

const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');

function latencyRows(c: CaseResult): string[][] {
  const ours = c.latency[0] as LatencyFigures;
  const rows: string[][] = [[c.title, '', '', '', '', '', '', '']];
  for (const f of c.latency)
    rows.push([
      `  ${f.path.name}`,
      int(f.arrivals.length),
      ms(percentile(f.arrivals, 0.5)),
      ms(percentile(f.arrivals, 0.99)),
      ms(f.arrivals.at(-1) ?? 0),
      ms(percentile(f.http, 0.5)),
      (percentile(ours.arrivals, 0.5) / percentile(f.arrivals, 0.5)).toFixed(2),
      (percentile(ours.arrivals, 0.99) / percentile(f.arrivals, 0.99)).toFixed(2),
    ]);
  return rows;
}

function fanOutRows(c: CaseResult): string[][] {
  const ours = c.fanOut[0] as BurstFigures;
  const rate = (b: BurstFigures) => b.deliveries / (b.ms / 1000);
  const rows: string[][] = [[c.title, '', '', '', '', '', '', '', '', '', '']];
  c.fanOut.forEach((b, i) => {
    rows.push([
      `  ${c.latency[i]?.path.name ?? ''}`,
      int(b.deliveries),
      int(b.messages),
      int(b.ms),
      int(rate(b)),
      int(b.messages / (b.ms / 1000)),
      int(BURST.writes / (b.httpMs / 1000)),
      `${((100 * b.benchCpuMs) / b.ms).toFixed(0)} %`,
      `${((100 * b.clientCpuMs) / b.ms).toFixed(0)} %`,
      `${(100 * b.machineBusy).toFixed(0)} %`,
      (rate(ours) / rate(b)).toFixed(2),
    ]);
  });
  return rows;
}

function caseNotes(c: CaseResult): { latency: string[]; fanOut: string[]; warnings: string[] } {
  const [ours, bare] = c.latency as [LatencyFigures, LatencyFigures];
  const latency: string[] = [];
  if (ours.remote.length) {
    const split = (f: LatencyFigures) =>
      `on the writing server p50 ${ms(percentile(f.local, 0.5))} / p99 ${ms(percentile(f.local, 0.99))} ms, ` +
      `on the other p50 ${ms(percentile(f.remote, 0.5))} / p99 ${ms(percentile(f.remote, 0.99))} ms`;
    latency.push(`  ${c.title.split(' ')[0]} clients ${split(ours)} (dataplane); ${split(bare)} (bare)`);
  }
  const [dpOut, bareOut] = c.fanOut as [BurstFigures, BurstFigures];
  const fanOut = [
    `  ${c.title.split(' ')[0]} HTTP path alone, no client connected (the same bursts): dataplane ` +
      `${int(c.httpAlone[0] ?? 0)} writes/s (a PostgreSQL write, its audit entry and the change feed per PATCH), ` +
      `bare koa + emit ${int(c.httpAlone[1] ?? 0)} writes/s; with clients: ${int(BURST.writes / (dpOut.httpMs / 1000))} ` +
      `and ${int(BURST.writes / (bareOut.httpMs / 1000))}`,
  ];
  const warnings: string[] = [];
  for (const f of c.latency)
    if (f.missing || f.stray)
      warnings.push(
        `warning: ${c.title} ${f.path.name}: ${f.missing} arrivals missing, ${f.stray} unexpected`,
      );
  c.fanOut.forEach((b, i) => {
    if (b.deliveries !== b.expected)
      warnings.push(
        `warning: ${c.title} ${c.latency[i]?.path.name}: fan-out burst got ${b.deliveries} of ${b.expected} deliveries (timed out)`,
      );
  });
  return { latency, fanOut, warnings };
}

export const realtimeBenchmark: Benchmark = {
  name: 'realtime',
  async run() {
    const load = (loadavg()[0] ?? 0).toFixed(2);
    const env = { ACCESS_TOKEN_TTL_SECONDS: '86400' };
    const app = await startTestApp(env);
    const fleet = new Fleet();
    let redis: PrivateRedis | undefined;
    const replicas: TestApp[] = [];
    const bares: Bare[] = [];
    try {
      const ownLimit = openFilesLimit();
      const clientLimit = (await fleet.usage()).openFiles;
      assertOpenFiles('bench process', ownLimit);
      assertOpenFiles('client process', clientLimit);
      const f = await seed(app);
      const pgVersion = (
        await app.dataplane.knex.raw<{ rows: { v: string }[] }>(
          "SELECT current_setting('server_version') AS v",
        )
      ).rows[0]?.v;
      const room = `table:${f.tableId}`;

      // a. one dataplane process, no Redis.
      const bareA = await startBare(f.workspaceId, room, f.template);
      bares.push(bareA);
      const a = await runCase(fleet, f, 'a. one process, in-process adapter', [app], [bareA], 'a');

      // b. two dataplanes on one database sharing a Redis of the bench's own.
      redis = await PrivateRedis.start();
      for (let i = 0; i < 2; i++)
        replicas.push(await startTestApp({ ...env, DATABASE_URL: app.databaseUrl, REDIS_URL: redis.url }));
      const bareB = [
        await startBare(f.workspaceId, room, f.template, redis.url),
        await startBare(f.workspaceId, room, f.template, redis.url),
      ];
      bares.push(...bareB);
      const b = await runCase(
        fleet,
        f,
        `b. two dataplanes sharing Redis, ${int(CLIENTS / 2)} clients on each, writes alternating`,
        replicas,
        bareB,
        'b',
      );

      const cases = [a, b];
      const notes = cases.map(caseNotes);
      const p99 = cases.map((c) => percentile((c.latency[0] as LatencyFigures).arrivals, 0.99));
      const fanOutRatio = cases.map((c) => {
        const [ours, bare] = c.fanOut as [BurstFigures, BurstFigures];
        return ours.deliveries / ours.ms / (bare.deliveries / bare.ms);
      });
      const lines = [
        'realtime benchmark',
        `  servers in the bench process (pid ${process.pid}): dataplanes started with startTestApp (LOG_LEVEL=silent, ` +
          'fresh database dropped at the end; b: two more on the same database with REDIS_URL), and bare socket.io ' +
          `${versionOf('socket.io')} servers on koa with the dataplane's socket.io settings (path, pings, connection state recovery)`,
        `  clients in a child process (bench/realtime-clients.ts, pid ${fleet.pid}): ${int(CLIENTS)} socket.io-client ` +
          `${versionOf('socket.io-client')} clients (websocket transport), each with one socket to the dataplane and one to ` +
          `the bare server, subscribed to table:<id>, as ${USERS} users (viewers of the workspace; the writer is its owner); ` +
          `connected in ${a.connectMs.map((t) => `${(t / 1000).toFixed(1)} s`).join(' and ')} (a), ` +
          `${b.connectMs.map((t) => `${(t / 1000).toFixed(1)} s`).join(' and ')} (b), ${CONNECT_CONCURRENCY} at a time`,
        `  open files (ulimit -n): bench process ${limits(ownLimit)}, client process ${limits(clientLimit)}; ` +
          `up to ${int(2 * CLIENTS)} sockets in each process at once`,
        `  Redis (b): a redis-server of the bench's own (${redis.url}); @socket.io/redis-streams-adapter ` +
          `${versionOf('@socket.io/redis-streams-adapter')}; the bare servers on a stream of their own`,
        `  PostgreSQL ${pgVersion ?? '?'}, node ${process.version}, ${cpus().length} CPUs shared by servers, clients, ` +
          `PostgreSQL and Redis; load average ${load} at start and ${(loadavg()[0] ?? 0).toFixed(2)} at the end ` +
          '(other work on the machine lowers every figure)',
        `  data:update payload (JSON as the client decoded it): dataplane ${a.payloadBytes[0]} bytes, bare ${a.payloadBytes[1]} (a); ` +
          `${b.payloadBytes[0]} and ${b.payloadBytes[1]} (b); one row of 5 fields`,
        '',
        `1. write → event latency: one PATCH of one field of one row at a time (Node http, keep-alive), ${LATENCY.rounds} ` +
          `rounds after ${LATENCY.warmup} warm-up, dataplane and bare alternating round by round; a latency is from just ` +
          'before the request is sent to one client receiving the data:update of that row version; every client of every round counts',
        formatGrid(
          [
            'path',
            'arrivals',
            'p50 ms',
            'p99 ms',
            'max ms',
            'write p50 ms',
            'ours/path p50',
            'ours/path p99',
          ],
          [...latencyRows(a), ...latencyRows(b)],
        ),
        '  write p50 = the PATCH answered (the dataplane answers once its event is in the adapter); ours/path above 1: the dataplane is slower',
        ...notes.flatMap((n) => n.latency),
        `  goal: p99 under ${GOAL.p99Ms} ms at ${int(CLIENTS)} clients — a: ${ms(p99[0] ?? 0)} ms ${met((p99[0] ?? 0) < GOAL.p99Ms)}; ` +
          `b: ${ms(p99[1] ?? 0)} ms ${met((p99[1] ?? 0) < GOAL.p99Ms)}`,
        '',
        `2. fan-out: bursts of ${BURST.writes} PATCHes, one per row, sent as fast as ${BURST.callers} keep-alive connections ` +
          `allow (b: 2 to each server); a delivery is one row change reaching one client; timed from the first request to the ` +
          `last delivery; median of ${BURST.measured} bursts after ${BURST.warmup} warm-up, paths alternating`,
        formatGrid(
          [
            'path',
            'deliveries',
            'messages',
            'burst ms',
            'deliveries/s',
            'messages/s',
            'writes/s',
            'bench CPU',
            'clients CPU',
            'machine busy',
            'ours/path',
          ],
          [...fanOutRows(a), ...fanOutRows(b)],
        ),
        "  writes/s = the burst's PATCHes over the time to the last answer; bench/clients CPU = that process's CPU time over the burst " +
          `(100 % = one core); machine busy = all ${cpus().length} CPUs' busy time (/proc/stat: PostgreSQL, Redis and any ` +
          "other work included; 100 % = every core busy); the dataplane batches a tick's changes of a table " +
          'into one message (messages < deliveries); ours/path below 1: the dataplane is slower',
        ...notes.flatMap((n) => n.fanOut),
        `  goal: fan-out at least ${GOAL.fanOut}x bare socket.io (deliveries/s) — a: ${(fanOutRatio[0] ?? 0).toFixed(2)} ` +
          `${met((fanOutRatio[0] ?? 0) >= GOAL.fanOut)}; b: ${(fanOutRatio[1] ?? 0).toFixed(2)} ${met((fanOutRatio[1] ?? 0) >= GOAL.fanOut)}`,
        ...notes.flatMap((n) => n.warnings),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    } finally {
      await fleet.exit();
      for (const b of bares) await b.close();
      for (const replica of replicas) await replica.stop();
      await redis?.kill();
      await app.stop();
    }
  },
};
