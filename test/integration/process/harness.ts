import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root: the entry point runs from here, as `make dev` runs it. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const TEST_JWT_SECRET = 'process-test-secret-0123456789abcdefghij';
export const TEST_MASTER_KEY = Buffer.alloc(32, 3).toString('base64');

export interface LogLine {
  msg?: string;
  level?: number;
  // Log lines are arbitrary JSON; tests read the fields they care about.
  [field: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One `node --import tsx dataplane/src/main.ts` process and what it printed. */
export class DataplaneProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  /** stdout lines that were not JSON (there should be none). */
  readonly rawStdout: string[] = [];
  stderr = '';
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;
  private partial = '';
  private listeners: (() => void)[] = [];

  constructor(env: Record<string, string>) {
    // Only what is given: nothing leaks in from the environment the tests run in.
    this.child = spawn(process.execPath, ['--import', 'tsx', 'dataplane/src/main.ts'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.notify();
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        this.notify();
        resolve(this.exit);
      });
    });
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Resolves with the first log line matching; rejects if the process exits first. */
  async waitForLine(predicate: (line: LogLine) => boolean, what: string): Promise<LogLine> {
    for (;;) {
      const found = this.lines.find(predicate);
      if (found) return found;
      if (this.exit) {
        throw new Error(
          `process exited (${JSON.stringify(this.exit)}) before logging ${what}\n` +
            `stderr: ${this.stderr}\nstdout: ${this.lines.map((l) => JSON.stringify(l)).join('\n')}`,
        );
      }
      await new Promise<void>((resolve) => this.listeners.push(resolve));
    }
  }

  /** The URL from `Live Tables dataplane listening on <url>`. */
  async url(): Promise<string> {
    const line = await this.waitForLine(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('Live Tables dataplane listening on '),
      'the listening line',
    );
    return (line.msg as string).slice('Live Tables dataplane listening on '.length);
  }

  /** SIGTERM, then wait for the exit. */
  async stop(): Promise<Exit> {
    if (this.running) this.child.kill('SIGTERM');
    return this.exited;
  }

  /** For after(): a graceful stop so an embedded PostgreSQL is not orphaned; SIGKILL if stuck. */
  async dispose(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const stuck = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(stuck);
  }

  private onStdout(chunk: string): void {
    this.partial += chunk;
    const complete = this.partial.split('\n');
    this.partial = complete.pop() ?? '';
    for (const text of complete) {
      if (!text.trim()) continue;
      try {
        this.lines.push(JSON.parse(text) as LogLine);
      } catch {
        this.rawStdout.push(text);
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const wake of this.listeners.splice(0)) wake();
  }
}

/** Environment for a process on an external database; `extra` wins. */
export function externalDbEnv(
  databaseUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    JWT_SECRET: TEST_JWT_SECRET,
    LT_MASTER_KEY: TEST_MASTER_KEY,
    BCRYPT_COST: '4',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

/** fetch + JSON decode, for the few requests process tests make. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
