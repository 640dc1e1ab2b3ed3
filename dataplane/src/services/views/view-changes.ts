import { NotFoundError } from '../../platform/errors.js';
import { rowFilterOf, type RowFilter } from '../../query/filter-evaluator.js';
import type { ViewData } from './view-data.js';
import type { ViewPlan } from './view-plan.js';
import type { ViewRow } from './view-queries.js';
import type { SystemView, SystemViews } from './system-views.js';

/**
 * What view subscriptions need to know of a view to turn a table's row changes into the view's:
 * which tables it reads, whether its rows are the source table's rows (a mini-DB view, not
 * grouped), and its filter as an in-process judge of a row's earlier state.
 */
export interface ViewChangeShape {
  viewId: string;
  /** Mini-DB tables the view reads (joins, links, rollup targets): their changes are its changes. */
  readsTables: readonly string[];
  /**
   * Set when a change of this table's rows maps to the view's rows one for one: the source of
   * an ungrouped mini-DB view. Changes of other tables it reads only say the view changed.
   */
  rowSource?: string;
  /** The view's own filter over a row as the rows API shows it (ADR 0023). */
  filter: RowFilter;
}

/**
 * Reads views for realtime without a caller (subscribers were checked when they joined): the
 * view's shape, and which of some rows of its source are in it now, as the view shows them.
 */
export class ViewChanges {
  private readonly filters = new WeakMap<ViewPlan, RowFilter>();

  constructor(
    private readonly views: SystemViews,
    private readonly data: ViewData,
  ) {}

  /** Undefined for a view that is gone, broken or unreadable now: nothing to derive. */
  async shape(workspaceId: string, viewId: string): Promise<ViewChangeShape | undefined> {
    const loaded = await this.load(workspaceId, viewId);
    if (!loaded) return undefined;
    const plan = await this.data.servingPlan(loaded.access, loaded.record, false).catch(() => undefined);
    if (!plan || plan.kind !== 'internal') return undefined;
    const source = plan.internal?.source.table.id;
    return {
      viewId,
      readsTables: plan.sourceTables,
      ...(source && !plan.groupBy ? { rowSource: source } : {}),
      filter: this.filterOf(plan),
    };
  }

  /** The rows among `ids` the view holds now, as it shows them (hidden columns left out). */
  async rowsNow(workspaceId: string, viewId: string, ids: readonly string[]): Promise<ViewRow[]> {
    const loaded = await this.load(workspaceId, viewId);
    if (!loaded || ids.length === 0) return [];
    return this.data.rowsById(loaded.access, loaded.record, ids);
  }

  private filterOf(plan: ViewPlan): RowFilter {
    let filter = this.filters.get(plan);
    if (!filter) {
      filter = rowFilterOf(plan.base, plan.catalog);
      this.filters.set(plan, filter);
    }
    return filter;
  }

  private async load(workspaceId: string, viewId: string): Promise<SystemView | undefined> {
    return this.views.load(workspaceId, viewId).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
  }
}
