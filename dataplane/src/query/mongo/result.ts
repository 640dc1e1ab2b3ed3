import { setOwn } from '../../platform/own-property.js';
import { EJSON, type Document } from 'bson';
import type { QueryExplanation, QueryResult } from '../lqp.js';
import { normalizeValue } from '../sql/normalize.js';
import { toPlainValue } from './bson-values.js';
import { encodeCursor } from './keyset.js';
import type { MongoPlan } from './plan.js';

/**
 * The pipeline's output → a result page, in the shape the SQL sources answer: slots renamed to
 * output names (a missing field is null), values normalised by their logical type (instants as
 * ISO 8601 text, ObjectIds as hex, ...), in-process computed columns evaluated, and the next
 * cursor built from the last row's key values (kept as BSON, so ObjectIds and Dates round-trip).
 */
export function finishMongoResult(plan: MongoPlan, docs: Document[], now: Date = new Date()): QueryResult {
  const hasMore = docs.length > plan.limit;
  const page = hasMore ? docs.slice(0, plan.limit) : docs;
  const rows = page.map((doc) => toRow(plan, doc, now));
  if (rows.length === 0 && plan.emptyGroupRow) rows.push(plan.emptyGroupRow);
  const last = page[page.length - 1];
  const nextCursor =
    hasMore && last && plan.keyset
      ? encodeCursor(
          plan.keyset.fingerprint,
          plan.keyset.slots.map((slot) => last[slot] ?? null),
        )
      : null;
  return { rows, nextCursor, hasMore };
}

function toRow(plan: MongoPlan, doc: Document, now: Date): Record<string, unknown> {
  const computed = new Map<string, unknown>();
  for (const column of plan.inProcess) {
    const inputs: Record<string, unknown> = {};
    for (const input of column.inputs)
      setOwn(inputs, input.field, input.slot === undefined ? null : doc[input.slot]);
    computed.set(column.name, column.evaluate(inputs, now));
  }
  const row: Record<string, unknown> = {};
  for (const { name, slot, type } of plan.columns) {
    const raw = slot === undefined ? computed.get(name) : doc[slot];
    setOwn(row, name, normalizeValue(type, toPlainValue(raw)));
  }
  return row;
}

/** An own, enumerable property even for names like `__proto__` (plain assignment would set the prototype). */

/** `explain` for a MongoDB plan: the pipeline as relaxed Extended JSON (ObjectIds, dates kept visible). */
export function explainMongoPlan(plan: MongoPlan): QueryExplanation {
  return {
    target: 'mongodb',
    compiled: EJSON.serialize(plan.pipeline, { relaxed: true }) as unknown[],
    bindings: [],
    pushedDown: plan.pushedDown,
    inProcess: plan.inProcessParts,
  };
}
