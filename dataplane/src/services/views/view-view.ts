import type { FieldProblem } from '../../platform/errors.js';
import type { LogicalType } from '../../query/catalog.js';
import type { ViewAccessRules, ViewDefinition } from './view-definition.js';
import type { PlanOutcome } from './view-plan.js';
import type { ViewRecord, ViewVersionRecord } from './view-record.js';

export type ViewStatus = 'ok' | 'broken' | 'unknown';

/** A view as the API answers it: its definition, rules, version and how it fits the schema now. */
export type ViewView = ViewDefinition & {
  id: string;
  workspaceId: string;
  name: string;
  description: string | null;
  access: ViewAccessRules;
  version: number;
  /** `broken`: the definition no longer fits its source (see `problems`); `unknown`: the source cannot be asked now. */
  status: ViewStatus;
  problems: FieldProblem[];
  /** The columns it shows, in order (empty while broken). */
  columns: { name: string; type: LogicalType }[];
  materializedAt: string | null;
  materializeError: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
};

export type ViewVersionView = ViewDefinition & {
  version: number;
  name: string;
  description: string | null;
  access: ViewAccessRules;
  /** The version this one brought back, when it is a restore. */
  restoredFrom: number | null;
  actorId: string | null;
  createdAt: string;
};

export function toViewView(record: ViewRecord, workspaceId: string, outcome: PlanOutcome): ViewView {
  const status: ViewStatus = outcome.ok ? 'ok' : outcome.unavailable ? 'unknown' : 'broken';
  return {
    id: record.id,
    workspaceId,
    name: record.name,
    description: record.description,
    ...record.definition,
    access: record.access,
    version: record.version,
    status,
    problems: outcome.ok ? [] : outcome.problems.map((p) => ({ path: p.path, message: p.message })),
    columns: outcome.ok ? outcome.plan.outputs.map((o) => ({ name: o.name, type: o.type })) : [],
    materializedAt:
      record.materialized_version === record.version ? (record.materialized_at?.toISOString() ?? null) : null,
    materializeError: record.materialize_error,
    createdBy: record.created_by,
    createdAt: record.created_at.toISOString(),
    updatedAt: record.updated_at.toISOString(),
  };
}

export function toViewVersionView(row: ViewVersionRecord): ViewVersionView {
  return {
    version: row.version,
    name: row.name,
    description: row.description,
    ...row.definition,
    access: row.access,
    restoredFrom: row.restored_from,
    actorId: row.actor_id,
    createdAt: row.created_at.toISOString(),
  };
}
