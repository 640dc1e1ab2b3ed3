import { expect } from 'chai';
import {
  assertReadStatement,
  assertSingleStatement,
  codeOnly,
} from '../../../dataplane/src/adapters/sql/statement-guard.js';
import { BadRequestError, ForbiddenError } from '../../../dataplane/src/platform/errors.js';

describe('raw statement guard', () => {
  it('lets reads through on both dialects', () => {
    for (const sql of [
      'SELECT 1',
      '  select * from t where a = $1',
      '-- leading comment\nWITH x AS (SELECT 1) SELECT * FROM x',
      '/* block /* nested */ comment */ explain select 1',
      'SHOW server_version',
      '(SELECT 1) UNION (SELECT 2)',
      'select 1;',
    ]) {
      expect(() => assertReadStatement(sql, 'postgres'), sql).not.to.throw();
      expect(() => assertSingleStatement(sql, 'postgres'), sql).not.to.throw();
    }
    expect(() => assertReadStatement('# comment\nSELECT `a;b` FROM t', 'mysql')).not.to.throw();
  });

  it('refuses writes and DDL with 403 read_only_connection', () => {
    for (const sql of [
      'INSERT INTO t VALUES (1)',
      'update t set a = 1',
      ' delete from t',
      'CREATE TABLE x (a int)',
      'drop table t',
      'TRUNCATE t',
      'COPY t FROM PROGRAM $$id$$',
      'CALL p()',
      'DO $$ BEGIN END $$',
      '/* SELECT */ INSERT INTO t VALUES (1)',
      '-- SELECT\nDELETE FROM t',
      '',
      'GRANT ALL ON t TO x',
      'SET ROLE postgres',
    ]) {
      const error = (() => {
        try {
          assertReadStatement(sql, 'postgres');
        } catch (e) {
          return e;
        }
      })();
      expect(error, sql).to.be.instanceOf(ForbiddenError);
      expect((error as ForbiddenError).code).to.equal('read_only_connection');
    }
    expect(() => assertReadStatement("SELECT 'x' INTO OUTFILE '/tmp/x'", 'mysql')).to.throw(ForbiddenError);
    expect(() => assertReadStatement("SELECT 'into outfile'", 'mysql')).not.to.throw();
  });

  it('refuses a second statement hidden after a semicolon, but not semicolons inside literals', () => {
    for (const sql of ['select 1; delete from t', 'select 1;commit;insert into t values (1)']) {
      expect(() => assertSingleStatement(sql, 'postgres'), sql).to.throw(BadRequestError);
      expect(() => assertSingleStatement(sql, 'mysql'), sql).to.throw(BadRequestError);
    }
    for (const sql of [
      "select ';' as a",
      'select "a;b" from t',
      'select $$;$$, $tag$ ; $tag$',
      "select E'\\';' ",
      'select 1 -- ; delete\n',
      'select /* ; */ 1',
    ]) {
      expect(() => assertSingleStatement(sql, 'postgres'), sql).not.to.throw();
    }
    expect(() => assertSingleStatement("select 'a\\';' # ;\n", 'mysql')).not.to.throw();
  });

  it('blanks literals and comments but keeps code positions', () => {
    const sql = 'select \'a;b\', "c" -- x\nfrom t';
    const code = codeOnly(sql, 'postgres');
    expect(code).to.have.length(sql.length);
    expect(code).to.equal(`select ${' '.repeat(5)},${' '.repeat(9)}\nfrom t`);
  });
});
