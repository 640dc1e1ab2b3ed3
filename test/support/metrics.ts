import type { TestApp } from './test-app.js';

/**
 * The value of one series of the app's /metrics, as Prometheus scrapes it: `series` is the
 * metric name with its labels exactly as exported (`name{label="value"}`). 0 before it exists.
 */
export async function metricValue(app: Pick<TestApp, 'request'>, series: string): Promise<number> {
  const text = String((await app.request('GET', '/metrics')).body);
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
