import type { Metadata, TableView } from './metadata.js';

/**
 * The tables the rollups of `table` aggregate over, by id: what `tableSource` needs to compile
 * rollups to SQL. No query at all for a table without rollups; a deleted target is left out.
 */
export async function linkTargets(meta: Metadata, table: TableView): Promise<Map<string, TableView>> {
  const targets = new Map<string, TableView>();
  for (const rollup of table.columns.filter((c) => c.type === 'rollup')) {
    const link = table.columns.find((c) => c.id === rollup.options.link && c.type === 'link');
    const id = link?.options.tableId as string | undefined;
    if (!id || targets.has(id)) continue;
    const target = await meta.findTable(id, { archived: true });
    if (target) targets.set(id, target);
  }
  return targets;
}
