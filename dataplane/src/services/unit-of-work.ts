import type { Knex } from 'knex';
import type { DomainEvent, EventBus } from '../platform/event-bus.js';
import type { Logger } from '../platform/logger.js';
import { newId } from '../platform/ids.js';
import { currentRequestContext } from '../platform/request-context.js';
import { insertByColumns, type BulkColumn } from '../store/user-tables/bulk-insert.js';
import { queryDriver } from '../store/prepared.js';
import { runVerbatim, type SqlRunner } from '../store/user-tables/verbatim.js';

export interface AuditEntry {
  workspaceId: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  before?: unknown;
  after?: unknown;
  /** Who acted, when only known inside the transaction (e.g. the owner of a refresh token). */
  actorId?: string | null;
  /** The containing resource (a column's or a row's table); workspace schemas only. */
  parentId?: string;
}

/** Published after a commit that changed a workspace's access rules, settings or schema. */
export const WORKSPACE_CHANGED = 'workspace.changed';

/** Entries per INSERT when a bulk change writes many: 11 values each, under PostgreSQL's 65 535. */
const AUDIT_CHUNK = 5_000;
/** From this many entries on, one array parameter per column (workspace schemas). */
const BY_COLUMNS_FROM = 50;
const AUDIT_COLUMNS: BulkColumn[] = [
  { name: 'id', sqlType: 'uuid' },
  { name: 'workspace_id', sqlType: 'uuid' },
  { name: 'actor_id', sqlType: 'uuid' },
  { name: 'action', sqlType: 'text' },
  { name: 'resource_type', sqlType: 'text' },
  { name: 'resource_id', sqlType: 'text' },
  { name: 'before', sqlType: 'jsonb' },
  { name: 'after', sqlType: 'jsonb' },
  { name: 'request_id', sqlType: 'text' },
  { name: 'ip', sqlType: 'text' },
];

/**
 * One transaction plus what must happen with it: audit entries written inside it, and domain
 * events published only once it has committed (never for a rolled-back change).
 */
export class UnitOfWork {
  private readonly events: DomainEvent[] = [];
  /** Workspaces whose audit entries record more than row data: their caches must forget. */
  private readonly changedWorkspaces = new Set<string>();

  constructor(
    readonly trx: Knex.Transaction,
    readonly actorId: string | null,
  ) {}

  /** Writes to `audit_logs` of the given schema; unqualified means the control schema. */
  async audit(entry: AuditEntry, schema?: string): Promise<void> {
    await this.auditMany([entry], schema);
  }

  /** One entry per change, in as few statements as the parameter limit allows (bulk writes). */
  async auditMany(entries: readonly AuditEntry[], schema?: string): Promise<void> {
    for (const entry of entries)
      if (entry.workspaceId && entry.resourceType !== 'row') this.changedWorkspaces.add(entry.workspaceId);
    const request = currentRequestContext();
    const rows = entries.map((entry) => ({
      id: newId(),
      workspace_id: entry.workspaceId,
      actor_id: entry.actorId === undefined ? this.actorId : entry.actorId,
      action: entry.action,
      resource_type: entry.resourceType,
      resource_id: entry.resourceId,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
      request_id: request?.requestId ?? null,
      ip: request?.ip ?? null,
      ...(entry.parentId === undefined ? {} : { parent_id: entry.parentId }),
    }));
    if (schema && rows.length >= BY_COLUMNS_FROM) {
      const parent = rows.some((r) => 'parent_id' in r) ? [{ name: 'parent_id', sqlType: 'uuid' }] : [];
      await insertByColumns(
        this.trx,
        { schema, name: 'audit_logs' },
        [...AUDIT_COLUMNS, ...parent],
        rows,
        'id',
      );
      return;
    }
    for (let i = 0; i < rows.length; i += AUDIT_CHUNK) {
      const table = schema ? this.trx.withSchema(schema).table('audit_logs') : this.trx.table('audit_logs');
      await table.insert(rows.slice(i, i + AUDIT_CHUNK));
    }
  }

  emit(type: string, workspaceId: string | null, payload: Record<string, unknown>): void {
    this.events.push({ type, workspaceId, actorId: this.actorId, at: new Date().toISOString(), payload });
  }

  /** What an audit entry written by a statement itself records of who and where (row writes). */
  auditContext(workspaceId: string): EntryContext {
    return entryContext(workspaceId, this.actorId);
  }

  /** This transaction as the unit of a one-statement change: the statement is one of its steps. */
  asStatementUnit(): StatementUnit {
    return {
      actorId: this.actorId,
      run: (sql, values, name) => runVerbatim(this.trx, sql, values, name),
      emit: (type, workspaceId, payload) => this.emit(type, workspaceId, payload),
      auditContext: (workspaceId) => this.auditContext(workspaceId),
    };
  }

  /**
   * The events to publish once committed: those emitted, then one `workspace.changed` per
   * workspace whose audit entries record anything but row data. Every mutation is audited, so
   * caches keyed by workspace learn of every change of access or shape without each service
   * having to say so (ADR 0012).
   */
  pendingEvents(): readonly DomainEvent[] {
    if (this.changedWorkspaces.size === 0) return this.events;
    const at = new Date().toISOString();
    const changed = [...this.changedWorkspaces].map((workspaceId) => ({
      type: WORKSPACE_CHANGED,
      workspaceId,
      actorId: this.actorId,
      at,
      payload: {},
    }));
    return [...this.events, ...changed];
  }
}

/** Who made an entry and from where: for audit entries a statement writes itself. */
export interface EntryContext {
  /** The new entry's id. */
  id: string;
  workspaceId: string;
  actorId: string | null;
  requestId: string | null;
  ip: string | null;
}

function entryContext(workspaceId: string, actorId: string | null): EntryContext {
  const request = currentRequestContext();
  return {
    id: newId(),
    workspaceId,
    actorId,
    requestId: request?.requestId ?? null,
    ip: request?.ip ?? null,
  };
}

/**
 * A change one statement makes whole: atomic by itself, its audit entry written by the
 * statement too (there is no `audit` here), its events published once the statement has
 * returned. On its own it runs in autocommit; joined to a unit of work, as one of its steps.
 */
export interface StatementUnit {
  readonly actorId: string | null;
  /** Runs the statement (verbatim, `$n` placeholders). */
  readonly run: SqlRunner;
  emit(type: string, workspaceId: string | null, payload: Record<string, unknown>): void;
  auditContext(workspaceId: string): EntryContext;
}

class AutocommitUnit implements StatementUnit {
  private readonly events: DomainEvent[] = [];
  readonly run: SqlRunner;

  constructor(
    knex: Knex,
    readonly actorId: string | null,
  ) {
    this.run = (sql, values, name) => queryDriver(knex, { text: sql, values, ...(name ? { name } : {}) });
  }

  emit(type: string, workspaceId: string | null, payload: Record<string, unknown>): void {
    this.events.push({ type, workspaceId, actorId: this.actorId, at: new Date().toISOString(), payload });
  }

  auditContext(workspaceId: string): EntryContext {
    return entryContext(workspaceId, this.actorId);
  }

  pendingEvents(): readonly DomainEvent[] {
    return this.events;
  }
}

export interface TransactionRunner {
  run<T>(actorId: string | null, work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
  /** For a change one statement makes whole (row writes, ADR 0015): no BEGIN, no COMMIT. */
  runStatement<T>(actorId: string | null, work: (unit: StatementUnit) => Promise<T>): Promise<T>;
}

/**
 * Publishing happens after commit: a bus failure there cannot undo the change, so it is logged
 * (and the change stays acknowledged) rather than turned into an error for a committed request.
 */
export function transactionRunner(knex: Knex, bus: EventBus, log: Logger): TransactionRunner {
  const publish = async (events: readonly DomainEvent[]) => {
    for (const event of events) {
      await bus
        .publish(event)
        .catch((error: unknown) =>
          log.error({ err: error, eventType: event.type }, 'event not published after commit'),
        );
    }
  };
  return {
    async run(actorId, work) {
      let uow: UnitOfWork | undefined;
      const result = await knex.transaction(async (trx) => {
        uow = new UnitOfWork(trx, actorId);
        return work(uow);
      });
      await publish(uow?.pendingEvents() ?? []);
      return result;
    },
    async runStatement(actorId, work) {
      const unit = new AutocommitUnit(knex, actorId);
      const result = await work(unit);
      await publish(unit.pendingEvents());
      return result;
    },
  };
}
