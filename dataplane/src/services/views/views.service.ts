import type { Knex } from 'knex';
import {
  ForbiddenError,
  NotFoundError,
  ServiceUnavailableError,
  ValidationError,
  VersionConflictError,
  type FieldProblem,
} from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { applyKeyset, toPage, type Page } from '../../store/keyset.js';
import { ROLES, roleRank } from '../../store/roles.js';
import { can } from '../rbac/permissions.js';
import type { TransactionRunner, UnitOfWork } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import {
  accessRules,
  DEFAULT_ACCESS,
  isInternal,
  normalizeDefinition,
  sameJson,
  type ViewAccessInput,
  type ViewAccessRules,
  type ViewDefinition,
} from './view-definition.js';
import type { ViewData } from './view-data.js';
import type { ViewGate } from './view-gate.js';
import type { ViewMaterializer } from './view-materializer.js';
import type { ViewPermissions } from './view-permissions.js';
import type { ViewPlan } from './view-plan.js';
import type { ViewPlanner } from './view-planner.js';
import { viewsTable, viewVersionsTable, type ViewRecord, type ViewVersionRecord } from './view-record.js';
import { toViewVersionView, toViewView, type ViewVersionView, type ViewView } from './view-view.js';

/** A view as created or replaced (POST /views, PUT /views/:id; DESIGN §4). */
export type ViewInput = ViewDefinition & {
  name: string;
  description?: string | null;
  /** Left out on a change: the rules stay as they are. */
  access?: ViewAccessInput;
};

/** A definition that checked out against its source, ready to be stored. */
interface Prepared {
  name: string;
  description: string | null;
  definition: ViewDefinition;
  access: ViewAccessRules;
  plan: ViewPlan;
}

/** Work that must happen in the transaction deleting a view (a published API is withdrawn). */
export type ViewDeletionHook = (uow: UnitOfWork, access: WorkspaceAccess, viewId: string) => Promise<void>;

/**
 * Saved views: definitions validated against their source's current schema when saved, every
 * change (and every restore) a new version, who may see and change each one (its own rules
 * under the role matrix, narrowed by base roles), each mutation audited in its transaction and
 * announced after commit (`view.created`, `view.updated`, `view.deleted`).
 */
export class ViewsService {
  private readonly deletionHooks: ViewDeletionHook[] = [];

  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
    private readonly planner: ViewPlanner,
    private readonly data: ViewData,
    private readonly gate: ViewGate,
    private readonly permissions: ViewPermissions,
    private readonly materializer: ViewMaterializer,
  ) {}

  /** Registers work for every view deletion (modules built after this one: public view APIs). */
  onDelete(hook: ViewDeletionHook): void {
    this.deletionHooks.push(hook);
  }

  /** The views the caller may see (a page may hold fewer than `limit`: base roles filter after the read). */
  async list(
    access: WorkspaceAccess,
    userId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<ViewView>> {
    const rank = roleRank(access.role);
    const minRank = (rule: 'read' | 'edit') =>
      `(CASE access->'${rule}'->>'minRole' ${ROLES.map((r) => `WHEN '${r}' THEN ${roleRank(r)}`).join(' ')} END)`;
    const query = viewsTable(this.knex, access)
      .select('*')
      .where((q) => {
        void q
          .whereRaw(`${minRank('read')} <= ?`, [rank])
          .orWhereRaw(`access->'read'->'members' @> jsonb_build_array(?::text)`, [userId]);
        if (can(access.role, 'views:manage'))
          void q
            .orWhereRaw(`${minRank('edit')} <= ?`, [rank])
            .orWhereRaw(`access->'edit'->'members' @> jsonb_build_array(?::text)`, [userId]);
      });
    const rows = (await applyKeyset(query, [{ column: 'id', kind: 'uuid' }], cursor, limit)) as ViewRecord[];
    const page = toPage(
      rows,
      limit,
      (r) => [r.id],
      (r) => r,
    );
    const subjectOf = await this.permissions.subjects(access, userId);
    const visible = page.data.filter((r) => this.permissions.canRead(r.access, subjectOf(r.base_ids)));
    const data: ViewView[] = [];
    for (const record of visible) data.push(await this.describe(access, record));
    return { data, nextCursor: page.nextCursor };
  }

  async get(access: WorkspaceAccess, userId: string, id: string): Promise<ViewView> {
    const { record } = await this.gate.readable(access, userId, id);
    return this.describe(access, record);
  }

  /** The view with its status against the schema as it is now. */
  async describe(access: WorkspaceAccess, record: ViewRecord): Promise<ViewView> {
    return toViewView(record, access.workspace.id, await this.data.plan(access, record, true));
  }

  async create(access: WorkspaceAccess, actorId: string, input: ViewInput): Promise<ViewView> {
    const prepared = await this.prepare(access, actorId, input);
    const record = await this.tx.run(actorId, (uow) => this.insert(uow, access, prepared));
    return this.describe(access, record);
  }

  async update(
    access: WorkspaceAccess,
    actorId: string,
    id: string,
    input: ViewInput,
    expectedVersion?: number,
  ): Promise<ViewView> {
    const record = await this.change(access, actorId, id, 'view.update', async (current) => {
      if (expectedVersion !== undefined && expectedVersion !== current.version)
        throw new VersionConflictError(
          `The view changed since version ${expectedVersion}; it is at version ${current.version}`,
          await this.describe(access, current),
        );
      return { input };
    });
    return this.describe(access, record);
  }

  /** A new version equal to an earlier one (checked against the schema as it is now). */
  async restore(access: WorkspaceAccess, actorId: string, id: string, version: number): Promise<ViewView> {
    const record = await this.change(access, actorId, id, 'view.restore', async (_current, trx) => {
      const old = (await viewVersionsTable(trx, access).where({ view_id: id, version }).first()) as
        ViewVersionRecord | undefined;
      if (!old) throw new NotFoundError('View version');
      return {
        input: { name: old.name, description: old.description, ...old.definition, access: old.access },
        restoredFrom: version,
      };
    });
    return this.describe(access, record);
  }

  async delete(access: WorkspaceAccess, actorId: string, id: string): Promise<void> {
    await this.tx.run(actorId, async (uow) => {
      const { record } = await this.gate.editable(access, actorId, id, uow.trx, true);
      for (const hook of this.deletionHooks) await hook(uow, access, id);
      await viewsTable(uow.trx, access).where({ id }).delete();
      await uow.trx('resource_directory').where({ id }).delete();
      await uow.trx('view_refresh_schedule').where({ view_id: id }).delete();
      await this.materializer.dropAll(uow.trx, access, id);
      await uow.audit(
        {
          workspaceId: access.workspace.id,
          action: 'view.delete',
          resourceType: 'view',
          resourceId: id,
          before: stored(record),
        },
        access.workspace.schemaName,
      );
      uow.emit('view.deleted', access.workspace.id, { viewId: id });
    });
  }

  /** Oldest first, keyset by version number. */
  async versions(
    access: WorkspaceAccess,
    userId: string,
    id: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<ViewVersionView>> {
    await this.gate.readable(access, userId, id);
    const query = viewVersionsTable(this.knex, access).where({ view_id: id }).select('*');
    const rows = (await applyKeyset(
      query,
      [{ column: 'version', kind: 'integer' }],
      cursor,
      limit,
    )) as ViewVersionRecord[];
    return toPage(rows, limit, (r) => [r.version], toViewVersionView);
  }

  /** A new view (version 1) with the same definition and rules; the caller can always edit it. */
  async duplicate(access: WorkspaceAccess, actorId: string, id: string, name?: string): Promise<ViewView> {
    const { record, subject } = await this.gate.readable(access, actorId, id);
    const rules = record.access;
    const edit = this.permissions.canEdit(rules, subject)
      ? rules.edit
      : { ...rules.edit, members: [...rules.edit.members, actorId] };
    return this.create(access, actorId, {
      ...record.definition,
      name: name ?? `${record.name} (copy)`,
      description: record.description,
      access: { read: rules.read, edit },
    });
  }

  /** For the public API's publishing routes: 404 unless visible, 403 unless the caller may change it. */
  async assertCanEdit(access: WorkspaceAccess, userId: string, id: string): Promise<void> {
    await this.gate.editable(access, userId, id);
  }

  /** Validates a view for saving: its plan, its rules, and that the caller may (still) edit it. */
  async prepare(
    access: WorkspaceAccess,
    actorId: string,
    input: ViewInput,
    current?: ViewRecord,
  ): Promise<Prepared> {
    const definition = normalizeDefinition(input);
    if (definition.materialize && isInternal(definition.source))
      throw invalid([
        { path: 'materialize', message: 'only views over external connections are materialized' },
      ]);
    const outcome = await this.planner.plan(access, definition);
    if (!outcome.ok && outcome.unavailable)
      throw new ServiceUnavailableError(
        outcome.problems[0]?.message ?? 'source unavailable',
        'source_unavailable',
      );
    if (!outcome.ok) throw invalid(outcome.problems);
    const rules = accessRules(input.access, current?.access ?? DEFAULT_ACCESS);
    const members = await this.memberProblems(access, rules);
    if (members.length > 0) throw invalid(members);
    const bases = [...new Set([...outcome.plan.baseIds, ...(current?.base_ids ?? [])])];
    const subject = await this.permissions.subject(access, actorId, bases);
    if (!can(subject.role, 'views:manage'))
      throw new ForbiddenError(`Your role on a base this view reads (${subject.role}) lacks views:manage`);
    if (!this.permissions.canEdit(rules, subject))
      throw invalid([{ path: 'access.edit', message: 'would leave you unable to edit this view' }]);
    return {
      name: input.name,
      description: input.description ?? null,
      definition,
      access: rules,
      plan: outcome.plan,
    };
  }

  /** Stores a new view (version 1) inside the caller's unit of work (templates create views too). */
  async insert(uow: UnitOfWork, access: WorkspaceAccess, prepared: Prepared): Promise<ViewRecord> {
    const id = newId();
    const [row] = (await viewsTable(uow.trx, access)
      .insert({ id, ...columnsOf(prepared), version: 1, created_by: uow.actorId, updated_by: uow.actorId })
      .returning('*')) as ViewRecord[];
    const record = row as ViewRecord;
    await this.recordVersion(uow, access, record, null);
    await uow.trx('resource_directory').insert({
      id,
      workspace_id: access.workspace.id,
      kind: 'view',
      base_id: sourceBase(prepared),
    });
    await this.schedule(uow, access, id, prepared.definition);
    await uow.audit(
      {
        workspaceId: access.workspace.id,
        action: 'view.create',
        resourceType: 'view',
        resourceId: id,
        after: stored(record),
      },
      access.workspace.schemaName,
    );
    uow.emit('view.created', access.workspace.id, { viewId: id, version: 1 });
    return record;
  }

  /** A change of a view as one new version: the next definition comes from `next`. */
  private async change(
    access: WorkspaceAccess,
    actorId: string,
    id: string,
    action: 'view.update' | 'view.restore',
    next: (current: ViewRecord, trx: Knex) => Promise<{ input: ViewInput; restoredFrom?: number }>,
  ): Promise<ViewRecord> {
    return this.tx.run(actorId, async (uow) => {
      const { record: current } = await this.gate.editable(access, actorId, id, uow.trx, true);
      const { input, restoredFrom } = await next(current, uow.trx);
      const prepared = await this.prepare(access, actorId, input, current);
      if (restoredFrom === undefined && sameAs(current, prepared)) return current;
      const [row] = (await viewsTable(uow.trx, access)
        .where({ id })
        .update({
          ...columnsOf(prepared),
          version: current.version + 1,
          updated_by: actorId,
          updated_at: new Date(),
        })
        .returning('*')) as ViewRecord[];
      const record = row as ViewRecord;
      await this.recordVersion(uow, access, record, restoredFrom ?? null);
      await uow
        .trx('resource_directory')
        .where({ id })
        .update({ base_id: sourceBase(prepared) });
      await this.schedule(uow, access, id, prepared.definition);
      await uow.audit(
        {
          workspaceId: access.workspace.id,
          action,
          resourceType: 'view',
          resourceId: id,
          before: stored(current),
          after: { ...stored(record), ...(restoredFrom !== undefined ? { restoredFrom } : {}) },
        },
        access.workspace.schemaName,
      );
      uow.emit('view.updated', access.workspace.id, { viewId: id, version: record.version });
      return record;
    });
  }

  private async recordVersion(
    uow: UnitOfWork,
    access: WorkspaceAccess,
    record: ViewRecord,
    restoredFrom: number | null,
  ): Promise<void> {
    await viewVersionsTable(uow.trx, access).insert({
      view_id: record.id,
      version: record.version,
      name: record.name,
      description: record.description,
      definition: JSON.stringify(record.definition),
      access: JSON.stringify(record.access),
      restored_from: restoredFrom,
      actor_id: uow.actorId,
    });
  }

  /** Materialized views get (or keep) a turn on the refresh schedule, due now; others none. */
  private async schedule(uow: UnitOfWork, access: WorkspaceAccess, id: string, definition: ViewDefinition) {
    const schedule = uow.trx('view_refresh_schedule');
    if (!definition.materialize) {
      await schedule.where({ view_id: id }).delete();
      return;
    }
    await schedule
      .insert({
        view_id: id,
        workspace_id: access.workspace.id,
        refresh_seconds: definition.materialize.refreshSeconds,
        next_refresh_at: new Date(),
      })
      .onConflict('view_id')
      .merge(['refresh_seconds', 'next_refresh_at']);
  }

  /** Named members must be members of the workspace. */
  private async memberProblems(access: WorkspaceAccess, rules: ViewAccessRules): Promise<FieldProblem[]> {
    const named = [...new Set([...rules.read.members, ...rules.edit.members])];
    if (named.length === 0) return [];
    const found = new Set(
      (
        (await this.knex('workspace_members')
          .where({ workspace_id: access.workspace.id })
          .whereIn('user_id', named)
          .select('user_id')) as { user_id: string }[]
      ).map((r) => r.user_id),
    );
    return (['read', 'edit'] as const).flatMap((rule) =>
      rules[rule].members.flatMap((member, i) =>
        found.has(member)
          ? []
          : [{ path: `access.${rule}.members[${i}]`, message: 'is not a member of this workspace' }],
      ),
    );
  }
}

const invalid = (problems: FieldProblem[]): ValidationError =>
  new ValidationError(`invalid view: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);

/** The directory names the source table's base, so /views/:id resolves a base role that narrows. */
const sourceBase = (prepared: Prepared): string | null =>
  isInternal(prepared.definition.source) ? (prepared.plan.baseIds[0] ?? null) : null;

function columnsOf(prepared: Prepared): Record<string, unknown> {
  const { source } = prepared.definition;
  return {
    name: prepared.name,
    description: prepared.description,
    definition: JSON.stringify(prepared.definition),
    access: JSON.stringify(prepared.access),
    source_table_id: isInternal(source) ? source.tableId : null,
    source_connection_id: isInternal(source) ? null : source.connectionId,
    base_ids: prepared.plan.baseIds,
  };
}

/** What the audit log and versions keep of a view. */
const stored = (r: ViewRecord) => ({
  id: r.id,
  name: r.name,
  description: r.description,
  version: r.version,
  ...r.definition,
  access: r.access,
});

function sameAs(current: ViewRecord, prepared: Prepared): boolean {
  return (
    current.name === prepared.name &&
    current.description === prepared.description &&
    sameJson(current.definition, prepared.definition) &&
    sameJson(current.access, prepared.access)
  );
}
