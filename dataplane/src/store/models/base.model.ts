import { Model, snakeCaseMappers, type ColumnNameMappers } from 'objection';

/**
 * Models are never bound to a global knex: every query passes the knex or transaction it runs
 * on (`User.query(trx)`), so several app instances can live in one process. Unqualified table
 * names resolve through the connection's search_path to the control schema.
 */
export class BaseModel extends Model {
  static override get columnNameMappers(): ColumnNameMappers {
    return snakeCaseMappers();
  }
  static override useLimitInFirst = true;
}
