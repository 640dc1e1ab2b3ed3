import type { TransactionRunner, UnitOfWork } from '../unit-of-work.js';

/**
 * A runner that opens no transaction of its own: the work joins `uow`, so a service method
 * written as one transaction (ColumnsService.delete, TablesService.update, ...) becomes one step
 * of a larger change, its audit entries and events included.
 */
export function joinedRunner(uow: UnitOfWork): TransactionRunner {
  return {
    run(actorId, work) {
      if (actorId !== uow.actorId) throw new Error('a joined step must act as the unit of work does');
      return work(uow);
    },
    runStatement(actorId, work) {
      if (actorId !== uow.actorId) throw new Error('a joined step must act as the unit of work does');
      return work(uow.asStatementUnit());
    },
  };
}
