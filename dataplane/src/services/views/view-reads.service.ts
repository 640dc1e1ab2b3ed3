import type { Readable } from 'node:stream';
import type { Filter } from '../../query/lqp.js';
import { parseFilterText, parseSortText } from '../rows/row-query.js';
import type { TransactionRunner } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import type { DataVersions } from './data-versions.js';
import type { CursorSeal } from './view-cursor.js';
import { csvStream } from './view-csv.js';
import type { DataPage, ViewData } from './view-data.js';
import { isInternal } from './view-definition.js';
import type { ViewGate } from './view-gate.js';
import type { ViewMaterializer } from './view-materializer.js';
import { checkRequest, type DataRequest } from './view-request.js';

/** `GET /views/:id/data` query parameters (validated by the route). */
export interface DataQuery {
  limit: number;
  cursor?: string;
  /** JSON filter tree (URL-decoded), ANDed with the view's. */
  filter?: string;
  /** `-due,priority`: sorts before the view's own. */
  sort?: string;
  /** Comma-separated columns of the view to return, in this order. */
  fields?: string;
  groups?: 'rows' | 'only';
}

/** Rows per page while a CSV export streams. */
const CSV_PAGE = 1000;

/**
 * Reading a view's data for a member: its rules checked (404 when they hide it), the page run or
 * served from the cache, cursors sealed; CSV export streamed page by page; refresh on demand.
 */
export class ViewReadsService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly gate: ViewGate,
    private readonly data: ViewData,
    private readonly seal: CursorSeal,
    private readonly materializer: ViewMaterializer,
    private readonly versions: DataVersions,
  ) {}

  async page(access: WorkspaceAccess, userId: string, id: string, query: DataQuery): Promise<DataPage> {
    const { record } = await this.gate.readable(access, userId, id);
    const page = await this.data.page(access, record, this.request(id, query, query.limit));
    return { ...page, nextCursor: page.nextCursor && this.seal.seal(page.nextCursor, id) };
  }

  /** The view's rows as CSV (the view's visible columns, or `fields`), every page of them. */
  async csv(
    access: WorkspaceAccess,
    userId: string,
    id: string,
    query: DataQuery,
  ): Promise<{ name: string; stream: Readable }> {
    const { record } = await this.gate.readable(access, userId, id);
    const request = { ...this.request(id, query, CSV_PAGE), groups: 'rows' as const };
    const plan = await this.data.servingPlan(access, record);
    const columns = checkRequest(plan, request, plan.resolve).fields ?? plan.outputs.map((o) => o.name);
    const first = await this.data.page(access, record, request);
    const stream = csvStream(columns, first, (cursor) =>
      this.data.page(access, record, { ...request, cursor }),
    );
    return { name: record.name, stream };
  }

  /**
   * Reads the source again now: a materialized view is rebuilt (answering once it is in place);
   * any other view's cached pages are dropped (its refresh counter moves).
   */
  async refresh(
    access: WorkspaceAccess,
    userId: string,
    id: string,
  ): Promise<{ refreshedAt: string; materializedAt: string | null }> {
    const { record } = await this.gate.editable(access, userId, id);
    const materialized =
      record.definition.materialize && !isInternal(record.definition.source)
        ? await this.materializer.refresh(access, record)
        : undefined;
    await this.versions.bumpView(id);
    const refreshedAt = new Date().toISOString();
    const materializedAt = materialized?.toISOString() ?? null;
    await this.tx.run(userId, (uow) =>
      uow.audit(
        {
          workspaceId: access.workspace.id,
          action: 'view.refresh',
          resourceType: 'view',
          resourceId: id,
          after: { refreshedAt, materializedAt },
        },
        access.workspace.schemaName,
      ),
    );
    return { refreshedAt, materializedAt };
  }

  private request(id: string, query: DataQuery, limit: number): DataRequest {
    const fields = query.fields
      ?.split(',')
      .map((f) => f.trim())
      .filter((f) => f.length > 0);
    return {
      ...(query.filter !== undefined ? { filter: parseFilterText(query.filter) as Filter } : {}),
      ...(query.sort ? { sort: parseSortText(query.sort, (f) => f) } : {}),
      ...(fields?.length ? { fields } : {}),
      limit,
      ...(query.cursor ? { cursor: this.seal.open(query.cursor, id) } : {}),
      groups: query.groups ?? 'rows',
    };
  }
}
