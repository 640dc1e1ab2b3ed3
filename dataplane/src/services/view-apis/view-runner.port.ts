import type { LogicalType } from '../../query/catalog.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';

/**
 * What the public view APIs need of the views engine (services/views), and all they know of
 * it: a view's exposed shape, a page of its rows, and a version of its data. The composition
 * root plugs the engine in; nothing here reaches into views, tables or rows directly.
 */
export interface ExposedColumn {
  name: string;
  type: LogicalType;
}

export interface PublicViewQuery {
  /** A filter tree (parsed JSON, or its text), ANDed with the view's; names: exposed columns only. */
  filter?: unknown;
  /** `-due,priority`: before the view's own sorts. */
  sort?: string;
  fields?: string[];
  /** 1..1000 (capped). */
  limit: number;
  /** A cursor this runner issued for this view. */
  cursor?: string;
}

export interface PublicViewPage {
  data: { id?: string; fields: Record<string, unknown> }[];
  nextCursor: string | null;
  /** Grouped views: `{key, count, aggregates}` of the groups the page's rows belong to. */
  groups?: unknown[];
}

export interface ViewShape {
  /** Changes with every change of the view's definition (columns, filters, sorts …). */
  version: number;
  /** The visible columns, in order: the only ones a public API knows. */
  columns: ExposedColumn[];
  sourceTables: string[];
}

export interface ViewRunner {
  /** 404 (NotFoundError) for a view that does not exist in the workspace. */
  describe(workspaceId: string, viewId: string): Promise<ViewShape>;
  /**
   * A page of the view. Only visible columns exist for filter, sort and fields; hidden ones
   * answer like unknown ones (422).
   */
  runPublic(workspaceId: string, viewId: string, query: PublicViewQuery): Promise<PublicViewPage>;
  /** Changes whenever any source table's data changes (read at the moment of the call). */
  dataVersion(workspaceId: string, viewId: string): Promise<string>;
}

/**
 * Who may manage a view's public API: whoever may change the view under its own rules. A view
 * the caller cannot see is a 404, one they cannot change a 403; publishing never reaches past
 * what the view's rules let the caller do.
 */
export interface ViewEditors {
  assertCanEdit(access: WorkspaceAccess, userId: string, viewId: string): Promise<void>;
}
