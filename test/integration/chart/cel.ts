/**
 * The subset of CEL the CRDs' x-kubernetes-validations may use, parsed and evaluated: literals,
 * `self` and `oldSelf`, field selection, `has(x.f)`, `size(x)`, `!`, `==` `!=` `<` `<=` `>` `>=`,
 * `&&`, `||` and `?:`. Anything else fails to parse, so a rule outside the subset (which the
 * in-repo test API server would not evaluate either) fails the tests. Evaluation follows CEL: a
 * missing field is an error, `&&` and `||` absorb an error when the other side decides, and an
 * error or a non-boolean result rejects the object.
 */

export type CelNode =
  | { kind: 'literal'; value: unknown }
  | { kind: 'ident'; name: 'self' | 'oldSelf' }
  | { kind: 'select'; operand: CelNode; field: string }
  | { kind: 'has'; operand: CelNode; field: string }
  | { kind: 'size'; arg: CelNode }
  | { kind: 'not'; arg: CelNode }
  | { kind: 'binary'; op: BinaryOp; left: CelNode; right: CelNode }
  | { kind: 'conditional'; test: CelNode; then: CelNode; otherwise: CelNode };

type BinaryOp = '&&' | '||' | '==' | '!=' | '<' | '<=' | '>' | '>=';
const RELATIONS: readonly string[] = ['==', '!=', '<', '<=', '>', '>='];

export class CelError extends Error {}

const TOKEN =
  /\s*(?:(\d+)|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_]*)|(&&|\|\||==|!=|<=|>=|[<>!?:.()]))/y;

type Token = { type: 'int' | 'string' | 'ident' | 'op'; text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(source);
    if (!m) throw new CelError(`unexpected character at ${at} in ${JSON.stringify(source)}`);
    if (m[1] !== undefined) tokens.push({ type: 'int', text: m[1] });
    else if (m[2] !== undefined || m[3] !== undefined)
      tokens.push({ type: 'string', text: m[2] ?? m[3] ?? '' });
    else if (m[4] !== undefined) tokens.push({ type: 'ident', text: m[4] });
    else tokens.push({ type: 'op', text: m[5] ?? '' });
  }
  return tokens;
}

/** Recursive descent over CEL's precedence: ?: below ||, below &&, below relations, below unary. */
class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): CelNode {
    const node = this.conditional();
    if (this.at < this.tokens.length) throw new CelError(`unexpected ${this.tokens[this.at]?.text}`);
    return node;
  }

  private peek(text: string): boolean {
    const t = this.tokens[this.at];
    return t?.type === 'op' && t.text === text;
  }

  private expect(text: string): void {
    if (!this.peek(text))
      throw new CelError(`expected ${text}, got ${this.tokens[this.at]?.text ?? 'the end'}`);
    this.at++;
  }

  private conditional(): CelNode {
    const test = this.or();
    if (!this.peek('?')) return test;
    this.at++;
    const then = this.or();
    this.expect(':');
    return { kind: 'conditional', test, then, otherwise: this.conditional() };
  }

  private or(): CelNode {
    let left = this.and();
    while (this.peek('||')) {
      this.at++;
      left = { kind: 'binary', op: '||', left, right: this.and() };
    }
    return left;
  }

  private and(): CelNode {
    let left = this.relation();
    while (this.peek('&&')) {
      this.at++;
      left = { kind: 'binary', op: '&&', left, right: this.relation() };
    }
    return left;
  }

  private relation(): CelNode {
    const left = this.unary();
    const t = this.tokens[this.at];
    if (t?.type !== 'op' || !RELATIONS.includes(t.text)) return left;
    this.at++;
    return { kind: 'binary', op: t.text as BinaryOp, left, right: this.unary() };
  }

  private unary(): CelNode {
    if (this.peek('!')) {
      this.at++;
      return { kind: 'not', arg: this.unary() };
    }
    return this.member();
  }

  private member(): CelNode {
    let node = this.primary();
    while (this.peek('.')) {
      this.at++;
      node = { kind: 'select', operand: node, field: this.identifier() };
    }
    return node;
  }

  private identifier(): string {
    const t = this.tokens[this.at++];
    if (t?.type !== 'ident') throw new CelError(`expected a field name, got ${t?.text ?? 'the end'}`);
    return t.text;
  }

  private primary(): CelNode {
    const t = this.tokens[this.at++];
    if (!t) throw new CelError('unexpected end of rule');
    if (t.type === 'int') return { kind: 'literal', value: Number(t.text) };
    if (t.type === 'string') return { kind: 'literal', value: t.text.replace(/\\(.)/g, '$1') };
    if (t.type === 'op' && t.text === '(') {
      const inner = this.conditional();
      this.expect(')');
      return inner;
    }
    if (t.type !== 'ident') throw new CelError(`unexpected ${t.text}`);
    if (t.text === 'true' || t.text === 'false') return { kind: 'literal', value: t.text === 'true' };
    if (t.text === 'null') return { kind: 'literal', value: null };
    if (t.text === 'self' || t.text === 'oldSelf') return { kind: 'ident', name: t.text };
    if (t.text === 'has' || t.text === 'size') return this.call(t.text);
    throw new CelError(`${t.text} is outside the CEL subset (self, oldSelf, has, size)`);
  }

  private call(name: 'has' | 'size'): CelNode {
    this.expect('(');
    const arg = this.conditional();
    this.expect(')');
    if (name === 'size') return { kind: 'size', arg };
    if (arg.kind !== 'select') throw new CelError('has() takes a field selection, e.g. has(self.host)');
    return { kind: 'has', operand: arg.operand, field: arg.field };
  }
}

export const parseCel = (rule: string): CelNode => new Parser(tokenize(rule)).parse();

export function usesOldSelf(node: CelNode): boolean {
  switch (node.kind) {
    case 'literal':
      return false;
    case 'ident':
      return node.name === 'oldSelf';
    case 'select':
    case 'has':
      return usesOldSelf(node.operand);
    case 'size':
    case 'not':
      return usesOldSelf(node.arg);
    case 'binary':
      return usesOldSelf(node.left) || usesOldSelf(node.right);
    case 'conditional':
      return usesOldSelf(node.test) || usesOldSelf(node.then) || usesOldSelf(node.otherwise);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function bool(v: unknown): boolean {
  if (typeof v !== 'boolean') throw new CelError(`expected a bool, got ${JSON.stringify(v)}`);
  return v;
}

function compare(op: BinaryOp, a: unknown, b: unknown): boolean {
  if (op === '==') return JSON.stringify(a) === JSON.stringify(b);
  if (op === '!=') return JSON.stringify(a) !== JSON.stringify(b);
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string'))
    throw new CelError(`no such overload: ${typeof a} ${op} ${typeof b}`);
  const [x, y] = [a as number | string, b as number | string];
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

/** `a && b`, `a || b` with CEL's commutative error handling. */
function logical(op: '&&' | '||', left: () => unknown, right: () => unknown): boolean {
  const decisive = op === '||';
  let error: unknown;
  try {
    if (bool(left()) === decisive) return decisive;
  } catch (e) {
    error = e;
  }
  if (bool(right()) === decisive) return decisive;
  if (error !== undefined) throw error;
  return !decisive;
}

export function evaluate(node: CelNode, vars: { self: unknown; oldSelf?: unknown }): unknown {
  const ev = (n: CelNode): unknown => evaluate(n, vars);
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'ident':
      return vars[node.name];
    case 'select': {
      const operand = ev(node.operand);
      if (!isObject(operand) || !(node.field in operand)) throw new CelError(`no such key: ${node.field}`);
      return operand[node.field];
    }
    case 'has': {
      const operand = ev(node.operand);
      if (!isObject(operand)) throw new CelError(`has() on a ${typeof operand}`);
      return node.field in operand;
    }
    case 'size': {
      const arg = ev(node.arg);
      if (typeof arg === 'string') return [...arg].length;
      if (Array.isArray(arg)) return arg.length;
      if (isObject(arg)) return Object.keys(arg).length;
      throw new CelError(`no such overload: size(${typeof arg})`);
    }
    case 'not':
      return !bool(ev(node.arg));
    case 'binary':
      if (node.op === '&&' || node.op === '||')
        return logical(
          node.op,
          () => ev(node.left),
          () => ev(node.right),
        );
      return compare(node.op, ev(node.left), ev(node.right));
    case 'conditional':
      return bool(ev(node.test)) ? ev(node.then) : ev(node.otherwise);
  }
}
