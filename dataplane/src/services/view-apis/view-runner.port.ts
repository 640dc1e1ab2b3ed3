import type { LogicalType } from '../../query/catalog.js';

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
  filter?: unknown;
  sort?: string;
  fields?: string[];
  limit: number;
  cursor?: string;
}

export interface PublicViewPage {
  data: { id?: string; fields: Record<string, unknown> }[];
  nextCursor: string | null;
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
