import type { Metadata, TableView } from './metadata.js';

/**
 * The tables the rollups and lookups of `table` read, by id: what `tableSource` needs to compile
 * them to SQL. No query at all for a table without either; a deleted target is left out.
 */
export async function linkTargets(meta: Metadata, table: TableView): Promise<Map<string, TableView>> {
  const targets = new Map<string, TableView>();
  for (const rollup of table.columns.filter((c) => c.type === 'rollup' || c.type === 'lookup')) {
    const link = table.columns.find((c) => c.id === rollup.options.link && c.type === 'link');
    const id = link?.options.tableId as string | undefined;
    if (!id || targets.has(id)) continue;
    const target = await meta.findTable(id, { archived: true });
    if (target) targets.set(id, target);
  }
  return targets;
}
