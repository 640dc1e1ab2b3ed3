/** Shapes and accessors of the objects `helm template` renders, shared by the chart tests. */
import { only, readText, type KubeObject } from './kube-tools.js';

export const VERSION = (JSON.parse(readText('package.json')) as { version: string }).version;

/** The variables of the table "Configuration (environment)" of operator/README.md. */
export function readmeVariables(): string[] {
  const section = readText('operator/README.md').split(/^## Configuration \(environment\)$/m)[1] ?? '';
  const table = section.split(/^## /m)[0] ?? '';
  return table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([A-Z_]+)`/g)].map((m) => m[1] as string));
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}
export interface Container {
  name: string;
  image: string;
  env: EnvVar[];
  ports: { name: string; containerPort: number }[];
  command?: string[];
  [field: string]: unknown;
}
export interface PodSpec {
  containers: Container[];
  securityContext: Record<string, unknown>;
  volumes: { name: string; emptyDir?: object }[];
  serviceAccountName?: string;
  [field: string]: unknown;
}

export const spec = (o: KubeObject): Record<string, unknown> => o.spec as Record<string, unknown>;
export const podSpec = (deployment: KubeObject): PodSpec =>
  (spec(deployment).template as { spec: PodSpec }).spec;
export const operatorContainer = (objects: KubeObject[]): Container =>
  podSpec(only(objects, 'Deployment')).containers[0] as Container;
export const envOf = (objects: KubeObject[]): Map<string, EnvVar> =>
  new Map(operatorContainer(objects).env.map((e) => [e.name, e]));
