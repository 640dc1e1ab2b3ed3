import type { OperatorConfig } from '../../../../operator/src/config.js';
import type { WorkloadInputs } from '../../../../operator/src/desired/workload-inputs.js';
import type { Workspace } from '../../../../operator/src/resources/workspace.schema.js';
import { workspace } from '../resources/fixtures.js';

export const CONFIG: WorkloadInputs['config'] &
  Pick<OperatorConfig, 'platformDatabaseUrl' | 'tenantDatabase' | 'redisUrl'> = {
  platformDatabaseUrl: 'postgres://operator:op-secret@pg.platform.svc:5432/livetables?sslmode=require',
  tenantDatabase: { host: 'pg.platform.svc', port: 5432 },
  redisUrl: 'redis://redis.platform.svc:6379',
  dataplane: {
    image: 'ghcr.io/example/dataplane:1.0.0',
    resources: { requests: { cpu: '100m', memory: '256Mi' } },
  },
  ingressNamespace: 'ingress-nginx',
  egress: { database: { cidr: '10.10.0.0/16', port: 5432 }, redis: { cidr: '10.20.0.0/16', port: 6379 } },
};

export function inputs(
  spec: Partial<Workspace['spec']> = {},
  extra: Partial<WorkloadInputs> = {},
): WorkloadInputs {
  return {
    workspace: workspace(spec),
    config: CONFIG,
    secretResourceVersion: '77',
    connectionTargets: [],
    ...extra,
  };
}
