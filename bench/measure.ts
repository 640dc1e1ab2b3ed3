import autocannon from 'autocannon';

/** One benchmark: starts what it needs, prints its figures beside its baseline, cleans up. */
export interface Benchmark {
  name: string;
  run(): Promise<void>;
}

/** The autocannon settings every measurement of a run uses, baselines included. */
export const SETTINGS = {
  connections: 50,
  pipelining: 1,
  warmupSeconds: 1,
  durationSeconds: 5,
  /** Slow enough for a saturated bcrypt queue (cost 12 answers in seconds at concurrency 50). */
  timeoutSeconds: 30,
  /** The load generator runs in a worker thread, off the event loop of the server it measures. */
  workers: 1,
} as const;

export interface RequestShape {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface Measurement {
  requestsPerSecond: number;
  p99Ms: number;
  completed: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

function fire(baseUrl: string, request: RequestShape, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: baseUrl + request.path,
    method: request.method,
    headers: request.headers ?? {},
    ...(request.body === undefined ? {} : { body: request.body }),
    connections: SETTINGS.connections,
    pipelining: SETTINGS.pipelining,
    duration: seconds,
    timeout: SETTINGS.timeoutSeconds,
    workers: SETTINGS.workers,
  });
}

/**
 * Work a stopped load run left behind (requests whose sockets closed while bcrypt was still
 * hashing them) would otherwise run into the next measurement. One request of the same shape,
 * answered, means the server's queues (libuv's FIFO thread pool among them) have drained.
 */
async function drain(baseUrl: string, request: RequestShape): Promise<void> {
  const res = await fetch(baseUrl + request.path, {
    method: request.method,
    headers: request.headers ?? {},
    body: request.body ?? null,
  });
  await res.arrayBuffer();
}

/** A warm-up run whose figures are discarded, then the measured run. */
export async function measure(baseUrl: string, request: RequestShape): Promise<Measurement> {
  await fire(baseUrl, request, SETTINGS.warmupSeconds);
  await drain(baseUrl, request);
  const result = await fire(baseUrl, request, SETTINGS.durationSeconds);
  await drain(baseUrl, request);
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    completed: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

export interface Row {
  name: string;
  ours: Measurement;
  baseline: Measurement;
}

const COLUMNS = ['name', 'req/s', 'p99 ms', 'baseline req/s', 'ratio'] as const;

const fixed = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

/** The table every benchmark prints: ours beside the baseline, ratio = ours / baseline req/s. */
export function formatTable(rows: Row[]): string {
  const cells = rows.map((r) => [
    r.name,
    fixed(r.ours.requestsPerSecond),
    fixed(r.ours.p99Ms),
    fixed(r.baseline.requestsPerSecond),
    (r.ours.requestsPerSecond / r.baseline.requestsPerSecond).toPrecision(2),
  ]);
  return formatGrid(COLUMNS, cells);
}

/** Columns padded to their widest cell; a row with only a first cell is a section title. */
export function formatGrid(columns: readonly string[], rows: readonly string[][]): string {
  const isTitle = (r: readonly string[]) => r.slice(1).every((v) => v === '');
  const cells = rows.filter((r) => !isTitle(r));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (values: readonly string[]) =>
    isTitle(values)
      ? (values[0] ?? '')
      : values.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join('  ');
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Lines that say why a figure cannot be trusted (throttling, failures, timeouts). */
export function warnings(rows: Row[]): string[] {
  const out: string[] = [];
  for (const row of rows) {
    for (const [who, m] of [
      ['', row.ours],
      [' (baseline)', row.baseline],
    ] as const) {
      if (m.non2xx || m.errors || m.timeouts) {
        out.push(
          `warning: ${row.name}${who}: ${m.non2xx} non-2xx answers, ${m.errors} errors, ` +
            `${m.timeouts} timeouts out of ${m.completed} requests`,
        );
      }
    }
  }
  return out;
}

/** The value below which a share `p` of the sorted samples falls. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

export interface Path {
  name: string;
  call: () => Promise<unknown>;
}

export interface Latencies {
  name: string;
  /** Milliseconds per call, ascending. */
  sorted: number[];
}

/**
 * One caller: after `warmup` calls of each path, rounds of one call per path (the order rotating,
 * so drift on the machine hits every path alike) until `max` rounds, or `seconds` once `min`
 * rounds are done (slow paths).
 */
export async function interleaved(
  paths: readonly Path[],
  rounds: { warmup: number; min: number; max: number; seconds: number },
): Promise<Latencies[]> {
  for (const p of paths) for (let i = 0; i < rounds.warmup; i++) await p.call();
  const samples = paths.map(() => [] as number[]);
  const started = performance.now();
  for (let round = 0; round < rounds.max; round++) {
    if (round >= rounds.min && performance.now() - started > rounds.seconds * 1000) break;
    for (let k = 0; k < paths.length; k++) {
      const p = (round + k) % paths.length;
      const t = performance.now();
      await paths[p]?.call();
      samples[p]?.push(performance.now() - t);
    }
  }
  return paths.map((p, i) => ({ name: p.name, sorted: (samples[i] ?? []).sort((a, b) => a - b) }));
}
