import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '../../dataplane/src/platform/logger.js';
import { loadOperatorConfigOrExit } from './config.js';
import { startHealthServer } from './health-server.js';
import { Operator } from './operator.js';

/**
 * The operator's process: configuration (exit 78 when invalid), the cluster from KUBECONFIG or
 * the pod's service account, the health and metrics endpoints, then the operator. SIGTERM and
 * SIGINT stop it gracefully (the Lease released, the reconciles in flight drained), exit 0.
 */
async function main(): Promise<void> {
  const config = loadOperatorConfigOrExit();
  const log = createLogger(config.logLevel).child({
    service: 'operator',
    pod: config.pod.name || hostname(),
  });
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const operator = new Operator(kc, config, log);
  const health = await startHealthServer(config.metricsPort, '0.0.0.0', operator, operator.metrics.registry);
  log.info({ metrics: health.url, namespace: config.watchNamespace ?? 'all' }, 'operator starting');
  let stopping: Promise<void> | undefined;
  const stop = (signal: string) => {
    stopping ??= (async () => {
      log.info({ signal }, 'operator stopping');
      await operator.stop();
      await health.close();
      process.exit(0);
    })();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  await operator.start();
  log.info('operator caches synced; running for the leader lease');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `operator failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
