import { ConfigError, loadConfig } from './platform/config.js';
import { createLogger } from './platform/logger.js';
import type { Dataplane } from './dataplane.js';

/** Process entry: validated config, start, and a graceful exit on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`live-tables: configuration error: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  // Handlers go in before start-up, so a signal that arrives while PostgreSQL starts or migrations
  // run still ends in an orderly stop (an embedded PostgreSQL is never orphaned).
  let dataplane: Dataplane | undefined = undefined;
  let signalled = false;
  const stopAndExit = (running: Dataplane) => {
    running.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    log.info({ signal, starting: !dataplane }, 'shutting down');
    if (dataplane) stopAndExit(dataplane);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Loaded only once the configuration is valid, so a bad value is reported without the wait.
  const { startDataplane } = await import('./dataplane.js');
  dataplane = await startDataplane(config, log);
  if (signalled) stopAndExit(dataplane);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `live-tables: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
