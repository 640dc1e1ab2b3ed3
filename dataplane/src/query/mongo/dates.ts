import type { Document } from 'bson';
import { assertNever, type FilterNode } from '../plan.js';

/**
 * The date helpers as ranges around `now`, in UTC days, with the SQL compilers' bounds: a
 * `date` field compares with today (its midnight), a `datetime` field with the instant.
 *   isToday: [today, tomorrow)   isPast: < today | now   isFuture: > today | now
 *   inLastDays n: [base - n days, base]   inNextDays n: [base, base + n days]
 */
const DAY_MS = 86_400_000;

type DateNode = Extract<FilterNode, { kind: 'relativeDate' | 'days' }>;

export function dateCondition(node: DateNode, now: Date): Document {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const base = node.field.type === 'date' ? today : now.getTime();
  const at = (ms: number) => new Date(ms);
  if (node.kind === 'days') {
    const shift = node.days * DAY_MS;
    const op = node.op;
    switch (op) {
      case 'inLastDays':
        return { $gte: at(base - shift), $lte: at(base) };
      case 'inNextDays':
        return { $gte: at(base), $lte: at(base + shift) };
      default:
        return assertNever(op);
    }
  }
  const op = node.op;
  switch (op) {
    case 'isToday':
      return { $gte: at(today), $lt: at(today + DAY_MS) };
    case 'isPast':
      return { $lt: at(base) };
    case 'isFuture':
      return { $gt: at(base) };
    default:
      return assertNever(op);
  }
}
