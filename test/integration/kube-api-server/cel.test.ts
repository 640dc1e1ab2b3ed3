import { expect } from 'chai';
import { CelCompileError, CelEvaluationError } from '../../fixtures/kube-api-server/cel/cel-ast.js';
import { compileCel } from '../../fixtures/kube-api-server/cel/cel-program.js';
import type { JsonObject, JsonValue } from '../../fixtures/kube-api-server/json.js';

/** The CEL subset of the test server's x-kubernetes-validations, evaluated directly. */
describe('Kube API test server: CEL subset', () => {
  const schema: JsonObject = {
    type: 'object',
    properties: {
      name: { type: 'string' },
      min: { type: 'integer' },
      max: { type: 'integer' },
      tags: { type: 'array', items: { type: 'string' } },
      ports: {
        type: 'array',
        items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer' } } },
      },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      'x-prop': { type: 'integer' },
      optional: { type: 'object', properties: { flag: { type: 'boolean' } } },
    },
  };
  const self: JsonObject = {
    name: 'web-1',
    min: 2,
    max: 5,
    tags: ['a', 'b'],
    ports: [
      { name: 'http', port: 80 },
      { name: 'https', port: 443 },
    ],
    labels: { team: 'core' },
    'x-prop': 7,
  };
  const run = (rule: string, value: JsonValue = self, old?: JsonValue) =>
    compileCel(rule, schema).evaluate(value, old);

  const TRUE = [
    'self.min <= self.max && self.max < 10',
    "self.name.startsWith('web') && self.name.endsWith('-1') && self.name.contains('b-')",
    "self.name.matches('^[a-z]+-[0-9]$') && !self.name.matches('(?i)^WEB$')",
    'size(self.tags) == 2 && self.tags.size() == 2 && size(self.name) == 5',
    "'a' in self.tags && !('z' in self.tags) && 'team' in self.labels",
    "has(self.labels) && !has(self.optional) && self.labels['team'] == 'core'",
    'self.ports.all(p, p.port > 0) && self.ports.exists(p, p.name == "https") && self.ports.exists_one(p, p.port == 80)',
    'self.ports.map(p, p.port) == [80, 443] && self.ports.filter(p, p.port > 100).size() == 1',
    'self.ports[0].port + 1 == 81 && 7 / 2 == 3 && 7 % 2 == 1 && -self.min == -2 && 2 * 3 - 1 == 5',
    "self.min > 3 ? false : self.name + '!' == 'web-1!'",
    "self.x__dash__prop == 7 && string(self.min) == '2' && int('42') == 42",
    'true || self.optional.flag',
    '!(false && self.optional.flag)',
    "self.name.upperAscii() == 'WEB-1' && 'ABC'.lowerAscii() == 'abc'",
    'null == null && [1, 2] != [2, 1] && {"a": 1}["a"] == 1',
  ];
  for (const rule of TRUE) it(`true: ${rule}`, () => expect(run(rule)).to.equal(true));

  it('transition rules compare self with oldSelf', () => {
    const rule = compileCel('self.name == oldSelf.name', schema);
    expect(rule.usesOldSelf).to.equal(true);
    expect(rule.evaluate(self, { ...self })).to.equal(true);
    expect(rule.evaluate(self, { ...self, name: 'other' })).to.equal(false);
    expect(compileCel('self.min < self.max', schema).usesOldSelf).to.equal(false);
  });

  it('fails evaluation on an absent field, a type mismatch, division by zero', () => {
    expect(() => run('self.optional.flag')).to.throw(CelEvaluationError, 'no such key: optional');
    expect(() => run('self.name > 1')).to.throw(CelEvaluationError, 'no matching overload');
    expect(() => run('self.min / (self.min - 2) == 1')).to.throw(CelEvaluationError, 'division by zero');
    expect(() => run('self.optional.flag && true')).to.throw(CelEvaluationError);
  });

  const UNSUPPORTED: [string, string][] = [
    ['self.nmae == "x"', "undefined field 'nmae'"],
    ['other.name == "x"', "undeclared reference to 'other'"],
    ['self.min > 1.5', 'double literals'],
    ['self.?optional', 'optional field selection'],
    ['self.name.reverse() == "x"', "no matching overload for 'reverse'"],
    ['startsWith(self.name, "w")', 'must be called on a value'],
    ['size(self.tags, 1) == 2', 'takes 1 argument'],
    ["self.name.matches('(')", 'invalid regular expression'],
    ['has(self)', 'has() takes one field selection'],
    ['self.min ==', 'unexpected'],
    ['self.tags.all(t)', 'takes a variable name and an expression'],
    ["'''x'''", 'triple-quoted'],
  ];
  for (const [rule, message] of UNSUPPORTED) {
    it(`refuses at compile time: ${rule}`, () =>
      expect(() => compileCel(rule, schema)).to.throw(CelCompileError, message));
  }
});
