import { expect } from 'chai';
import {
  checkFormula,
  compileFormulaToSql,
  parseFormula,
} from '../../../../dataplane/src/query/formula/index.js';
import { checked, formulaError } from './helpers.js';

const ref = (field: string) => `t0.${field}`;

type Golden = [sql: string, bindings: unknown[]];

/** Formula in → SQL text and bindings out, per dialect. */
const GOLDEN: [formula: string, postgres: Golden, mysql: Golden][] = [
  [
    '{amount} + {qty} * 2',
    [
      '(CAST(?? AS double precision) + (CAST(?? AS double precision) * CAST(? AS double precision)))',
      ['t0.amount', 't0.qty', 2],
    ],
    ['(CAST(?? AS DOUBLE) + (CAST(?? AS DOUBLE) * CAST(? AS DOUBLE)))', ['t0.amount', 't0.qty', 2]],
  ],
  [
    '{amount} / {qty}',
    ['(CAST(?? AS double precision) / NULLIF(CAST(?? AS double precision), 0))', ['t0.amount', 't0.qty']],
    ['(CAST(?? AS DOUBLE) / NULLIF(CAST(?? AS DOUBLE), 0))', ['t0.amount', 't0.qty']],
  ],
  [
    '{name} & " x " & {amount}',
    [
      'concat(concat(CAST(?? AS text), CAST(? AS text)), CAST(CAST(?? AS double precision) + 0 AS text))',
      ['t0.name', ' x ', 't0.amount'],
    ],
    [
      "CONCAT_WS('', CONCAT_WS('', ??, ?), CAST(CAST(?? AS DOUBLE) AS CHAR))",
      ['t0.name', ' x ', 't0.amount'],
    ],
  ],
  [
    '{name} = "Hello"',
    [
      '((CAST(?? AS text) COLLATE "C") IS NOT DISTINCT FROM (CAST(? AS text) COLLATE "C"))',
      ['t0.name', 'Hello'],
    ],
    [
      '(CAST(CONVERT(?? USING utf8mb4) AS BINARY) <=> CAST(CONVERT(? USING utf8mb4) AS BINARY))',
      ['t0.name', 'Hello'],
    ],
  ],
  [
    '{name} < {Full name}',
    ['((CAST(?? AS text) COLLATE "C") < (CAST(?? AS text) COLLATE "C"))', ['t0.name', 't0.Full name']],
    [
      '(CAST(CONVERT(?? USING utf8mb4) AS BINARY) < CAST(CONVERT(?? USING utf8mb4) AS BINARY))',
      ['t0.name', 't0.Full name'],
    ],
  ],
  [
    '{amount} != BLANK()',
    [
      '(NOT (CAST(?? AS double precision) IS NOT DISTINCT FROM CAST(NULL AS double precision)))',
      ['t0.amount'],
    ],
    ['(NOT (CAST(?? AS DOUBLE) <=> NULL))', ['t0.amount']],
  ],
  [
    'IF({done}, "y")',
    ['(CASE WHEN ?? THEN CAST(? AS text) ELSE CAST(NULL AS text) END)', ['t0.done', 'y']],
    ['(CASE WHEN (?? <> 0) THEN ? ELSE NULL END)', ['t0.done', 'y']],
  ],
  [
    'AND({done}, {amount} > 1)',
    [
      '(COALESCE(??, FALSE) AND COALESCE((CAST(?? AS double precision) > CAST(? AS double precision)), FALSE))',
      ['t0.done', 't0.amount', 1],
    ],
    [
      '(COALESCE((?? <> 0), FALSE) AND COALESCE((CAST(?? AS DOUBLE) > CAST(? AS DOUBLE)), FALSE))',
      ['t0.done', 't0.amount', 1],
    ],
  ],
  [
    'ROUND({amount})',
    [
      '(SIGN(CAST(?? AS double precision)) * FLOOR(ABS(CAST(?? AS double precision)) + 0.5))',
      ['t0.amount', 't0.amount'],
    ],
    ['(SIGN(CAST(?? AS DOUBLE)) * FLOOR(ABS(CAST(?? AS DOUBLE)) + 0.5))', ['t0.amount', 't0.amount']],
  ],
  [
    'MOD({amount}, 3)',
    [
      '(CAST(?? AS double precision) - CAST(? AS double precision) * trunc(CAST(?? AS double precision) / NULLIF(CAST(? AS double precision), 0)))',
      ['t0.amount', 3, 't0.amount', 3],
    ],
    ['MOD(CAST(?? AS DOUBLE), NULLIF(CAST(? AS DOUBLE), 0))', ['t0.amount', 3]],
  ],
  [
    'LEFT({name}, 2)',
    [
      '(CASE WHEN CAST(? AS double precision) IS NULL THEN NULL ELSE left(CAST(?? AS text), CAST(LEAST(GREATEST(trunc(CAST(? AS double precision)), 0), 1000000000) AS integer)) END)',
      [2, 't0.name', 2],
    ],
    ['LEFT(??, LEAST(GREATEST(TRUNCATE(CAST(? AS DOUBLE), 0), 0), 1000000000))', ['t0.name', 2]],
  ],
  [
    'FIND("l", {name})',
    ['CAST(strpos(CAST(?? AS text), CAST(? AS text)) AS double precision)', ['t0.name', 'l']],
    ['CAST(LOCATE(CONVERT(? USING utf8mb4) COLLATE utf8mb4_bin, ??) AS DOUBLE)', ['l', 't0.name']],
  ],
  [
    'MIN({amount}, {qty})',
    ['LEAST(CAST(?? AS double precision), CAST(?? AS double precision))', ['t0.amount', 't0.qty']],
    [
      'LEAST(COALESCE(CAST(?? AS DOUBLE), COALESCE(CAST(?? AS DOUBLE), CAST(?? AS DOUBLE))), COALESCE(CAST(?? AS DOUBLE), COALESCE(CAST(?? AS DOUBLE), CAST(?? AS DOUBLE))))',
      ['t0.amount', 't0.amount', 't0.qty', 't0.qty', 't0.amount', 't0.qty'],
    ],
  ],
  [
    'DATEADD({due}, 1, "month")',
    [
      'CAST(CAST(?? AS date) + make_interval(months => CAST(trunc(CAST(? AS double precision)) AS integer)) AS date)',
      ['t0.due', 1],
    ],
    ['DATE_ADD(??, INTERVAL TRUNCATE(CAST(? AS DOUBLE), 0) MONTH)', ['t0.due', 1]],
  ],
  [
    'DATETIME_DIFF({at}, {due}, "days")',
    [
      "CAST(trunc((EXTRACT(EPOCH FROM CAST(?? AS timestamptz)) - EXTRACT(EPOCH FROM (CAST(CAST(?? AS date) AS timestamp) AT TIME ZONE 'UTC'))) * 1000 / 86400000) AS double precision)",
      ['t0.at', 't0.due'],
    ],
    [
      'CAST(TRUNCATE(TIMESTAMPDIFF(MICROSECOND, CAST(?? AS DATETIME(3)), CAST(?? AS DATETIME(3))) / 86400000000, 0) AS DOUBLE)',
      ['t0.due', 't0.at'],
    ],
  ],
  [
    'DATETIME_FORMAT({at}, "YYYY-MM")',
    [
      "(CASE WHEN CAST(?? AS timestamptz) IS NULL THEN NULL ELSE concat(to_char(timezone('UTC', CAST(?? AS timestamptz)), 'YYYY'), CAST(? AS text), to_char(timezone('UTC', CAST(?? AS timestamptz)), 'MM')) END)",
      ['t0.at', 't0.at', '-', 't0.at'],
    ],
    [
      "(CASE WHEN CAST(?? AS DATETIME(3)) IS NULL THEN NULL ELSE CONCAT_WS('', DATE_FORMAT(CAST(?? AS DATETIME(3)), '%Y'), ?, DATE_FORMAT(CAST(?? AS DATETIME(3)), '%m')) END)",
      ['t0.at', 't0.at', '-', 't0.at'],
    ],
  ],
  [
    '{due} < "2024-02-01"',
    ['(CAST(?? AS date) < CAST(? AS date))', ['t0.due', '2024-02-01']],
    ['(?? < CAST(? AS DATE))', ['t0.due', '2024-02-01']],
  ],
  [
    '{at} >= "2024-02-01 10:00:00+02:00"',
    ['(CAST(?? AS timestamptz) >= CAST(? AS timestamptz))', ['t0.at', '2024-02-01T08:00:00.000Z']],
    ['(CAST(?? AS DATETIME(3)) >= CAST(? AS DATETIME(3)))', ['t0.at', '2024-02-01 08:00:00.000']],
  ],
  ['TODAY()', ["CAST(timezone('UTC', CURRENT_TIMESTAMP) AS date)", []], ['UTC_DATE()', []]],
  [
    '{done} & ""',
    ['concat(CAST(?? AS text), CAST(? AS text))', ['t0.done', '']],
    ["CONCAT_WS('', ELT((?? <> 0) + 1, 'false', 'true'), ?)", ['t0.done', '']],
  ],
];

describe('compileFormulaToSql', () => {
  for (const [formula, postgres, mysql] of GOLDEN) {
    for (const [dialect, [sql, bindings]] of [
      ['postgres', postgres],
      ['mysql', mysql],
    ] as const) {
      it(`${dialect}: ${formula}`, () => {
        expect(compileFormulaToSql(checked(formula), dialect, ref)).to.deep.equal({ sql, bindings });
      });
    }
  }

  it('puts no formula text in the SQL: literals and field names only travel as bindings', () => {
    const corpus = [
      `"'); DROP TABLE users; --" & {name}`,
      `{name} = "\\" OR 1=1 --"`,
      `SUBSTITUTE({name}, "?", "??")`,
      `DATETIME_FORMAT({at}, "YYYY'; DELETE FROM t; --")`,
      `FIND("$where", {name}) + LEN("\\\\x00")`,
      `SWITCH({name}, "a'b", 1, "c\\"d", 2)`,
    ];
    const hostile = /DROP|OR 1=1|DELETE|\$where|a'b|c"d|\\x00/;
    for (const formula of corpus) {
      for (const dialect of ['postgres', 'mysql'] as const) {
        const { sql, bindings } = compileFormulaToSql(checked(formula), dialect, ref);
        expect(sql, formula).not.to.match(hostile);
        expect(sql.match(/\?\??/g)?.length ?? 0, formula).to.equal(bindings.length);
      }
    }
  });

  it('passes a field whose name looks like SQL only as an identifier binding', () => {
    const ast = parseFormula('{x"; DROP TABLE t; --} + 1');
    checkFormula(ast, () => 'number');
    const { sql, bindings } = compileFormulaToSql(ast, 'postgres', ref);
    expect(sql).to.equal('(CAST(?? AS double precision) + CAST(? AS double precision))');
    expect(bindings).to.deep.equal(['t0.x"; DROP TABLE t; --', 1]);
  });

  it('refuses formulas whose SQL would be too large (operands repeated through nesting)', () => {
    const text = 'ROUND('.repeat(12) + '{amount}' + ', 2)'.repeat(12);
    const error = formulaError(() => compileFormulaToSql(checked(text), 'postgres', ref));
    expect(error.message).to.equal('formula is too complex to compile to SQL');
    expect(error.span).to.deep.equal({ start: 0, end: text.length });
  });

  it('refuses a tree that was not checked', () => {
    expect(() => compileFormulaToSql(parseFormula('1'), 'postgres', ref)).to.throw(/checkFormula/);
  });
});
