import { adapterBenchmark } from './adapter.bench.js';
import { authBenchmark } from './auth.bench.js';
import type { Benchmark } from './measure.js';
import { minidbBenchmark } from './minidb.bench.js';
import { operatorBenchmark } from './operator.bench.js';
import { publicApiBenchmark } from './public-api.bench.js';
import { realtimeBenchmark } from './realtime.bench.js';

/** Every benchmark, run one after the other so they never compete for the machine. */
const benchmarks: Benchmark[] = [
  authBenchmark,
  adapterBenchmark,
  minidbBenchmark,
  publicApiBenchmark,
  realtimeBenchmark,
  operatorBenchmark,
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  for (const benchmark of benchmarks) {
    if (only.length && !only.includes(benchmark.name)) continue;
    const started = Date.now();
    await benchmark.run();
    process.stdout.write(`  (${benchmark.name}: ${((Date.now() - started) / 1000).toFixed(0)} s)\n\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
