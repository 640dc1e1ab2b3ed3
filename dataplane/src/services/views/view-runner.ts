import type { Filter } from '../../query/lqp.js';
import type {
  PublicViewPage,
  PublicViewQuery,
  ViewRunner,
  ViewShape,
} from '../view-apis/view-runner.port.js';
import { parseFilterText, parseSortText } from '../rows/row-query.js';
import type { CursorSeal } from './view-cursor.js';
import type { ViewData } from './view-data.js';
import type { SystemView, SystemViews } from './system-views.js';

/** The most rows one public page holds. */
export const PUBLIC_PAGE_MAX = 1000;

/**
 * The ViewRunner over saved views. Only the view's visible columns exist: a filter, sort or
 * field naming anything else is the same 422 as a column that does not exist; rows, groups and
 * cursors (sealed) carry nothing the view hides. A broken view is a 409 `view_broken` that lists
 * no problems (they would name hidden columns); an unknown view or workspace is a 404.
 */
export class SavedViewRunner implements ViewRunner {
  constructor(
    private readonly views: SystemViews,
    private readonly data: ViewData,
    private readonly seal: CursorSeal,
  ) {}

  async describe(workspaceId: string, viewId: string): Promise<ViewShape> {
    const { access, record } = await this.load(workspaceId, viewId);
    const plan = await this.data.servingPlan(access, record, false);
    const live = await this.data.plan(access, record);
    return {
      version: record.version,
      columns: plan.outputs.map((o) => ({ name: o.name, type: o.type })),
      sourceTables: live.ok ? live.plan.sourceTables : [],
    };
  }

  async runPublic(workspaceId: string, viewId: string, query: PublicViewQuery): Promise<PublicViewPage> {
    const { access, record } = await this.load(workspaceId, viewId);
    const filter = typeof query.filter === 'string' ? parseFilterText(query.filter) : query.filter;
    const page = await this.data.page(
      access,
      record,
      {
        ...(filter !== undefined ? { filter: filter as Filter } : {}),
        ...(query.sort ? { sort: parseSortText(query.sort, (f) => f) } : {}),
        ...(query.fields?.length ? { fields: query.fields } : {}),
        limit: Number.isFinite(query.limit)
          ? Math.min(PUBLIC_PAGE_MAX, Math.max(1, Math.floor(query.limit)))
          : 100,
        ...(query.cursor ? { cursor: this.seal.open(query.cursor, viewId) } : {}),
        groups: 'rows',
      },
      { problems: false },
    );
    return {
      data: page.data,
      nextCursor: page.nextCursor && this.seal.seal(page.nextCursor, viewId),
      ...(page.groups ? { groups: page.groups } : {}),
    };
  }

  /** What the view's pages are cached by: moves whenever a table it reads (joins included) changes. */
  async dataVersion(workspaceId: string, viewId: string): Promise<string> {
    const { access, record } = await this.load(workspaceId, viewId);
    const plan = await this.data.servingPlan(access, record, false);
    return `${record.version}.${await this.data.dataVersion(access, record, plan)}`;
  }

  /** Cached until the workspace changes: every public request asks for the data version. */
  private load(workspaceId: string, viewId: string): Promise<SystemView> {
    return this.views.load(workspaceId, viewId);
  }
}
