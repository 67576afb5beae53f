import { type BinaryOp, type Expr, REF_PREFIX, type Template } from './expression.ts';
import { arity, functionSpec, signature } from './functions.ts';
import { T, type Type, describeType, isAssignable, mayBeEmpty, orEmpty, ownEntry, unify, withoutEmpty } from './types.ts';

/**
 * The type checker. It resolves what the parser left open (names, fields written by id) and works
 * out the type of every expression, so that "amount * name" is reported on its field when the
 * workflow compiles. One checker for the whole product: later issues extend its rules here.
 */

/** What a stored `$id` stands for, as the checker sees it. */
export interface Referent {
  /** The name the editor shows: a parameter's key, or `steps.<name>` for a step's result. */
  name: string;
  type: Type;
}

export interface TypeEnv {
  lookup(id: string): Referent | undefined;
  /**
   * Workflows migrated from before typed expressions keep their old, dynamic behaviour: names must
   * resolve, but type rules are not enforced (a mismatch fails at run time, as it did then).
   */
  lenient?: boolean;
}

export class TypeCheckError extends Error {
  override name = 'TypeCheckError';
}

export interface Checked<E> {
  value: E;
  type: Type;
}

/** What a field needs: a value of a type, or (for text fields) anything that reads as text. */
export type Expectation = { type: Type } | 'text' | 'any';

const fail = (message: string): never => {
  throw new TypeCheckError(message);
};

/** Checks an expression and returns it resolved (fields by JSON key) with its type. */
export function checkExpression(expr: Expr, env: TypeEnv): Checked<Expr> {
  return new Checker(env).check(expr);
}

/**
 * Checks a template against what its field expects. A lone `{{expression}}` keeps its type; text
 * with parts becomes text, and every part may be anything that reads as text (empty reads as "").
 */
export function checkTemplate(template: Template, env: TypeEnv, expect: Expectation): Checked<Template> {
  const checker = new Checker(env);
  const parts = template.parts.map((part) => ('expr' in part ? { expr: checker.check(part.expr) } : part));
  const only = parts.length === 1 && 'expr' in parts[0]! ? parts[0] : null;
  const type = only ? only.expr.type : T.text;
  if (typeof expect === 'object' && !env.lenient && !isAssignable(type, expect.type)) {
    fail(mismatch(only ? show(only.expr.value, env) : 'This text', type, expect.type));
  }
  return {
    value: { parts: parts.map((part) => ('expr' in part ? { expr: part.expr.value } : part)) },
    type,
  };
}

/** "x" is text; a number is needed. With the fix when one is obvious. */
export function mismatch(what: string, type: Type, expected: Type): string {
  const base = `${what} is ${describeType(type)}; ${describeType(expected)} is needed`;
  if (type.kind === 'any') return `${base}: convert it (${converter(expected)})`;
  if (mayBeEmpty(type) && isAssignable(withoutEmpty(type), expected)) return `${base}: give it a default (${what} ?? …)`;
  return base;
}

function converter(type: Type): string {
  switch (type.kind) {
    case 'number':
      return 'toNumber(…)';
    case 'date':
      return 'toDate(…)';
    case 'boolean':
      return 'toYesNo(…)';
    default:
      return 'toText(…)';
  }
}

class Checker {
  constructor(private readonly env: TypeEnv) {}

  check(expr: Expr): Checked<Expr> {
    switch (expr.kind) {
      case 'literal': {
        const v = expr.value;
        const type = v === null ? T.empty : typeof v === 'string' ? T.text : typeof v === 'number' ? T.number : T.boolean;
        return { value: expr, type };
      }
      case 'now':
        return { value: expr, type: T.date };
      case 'ref': {
        const referent = this.env.lookup(expr.id);
        if (!referent) return fail(`Refers to a parameter or step that no longer exists (${REF_PREFIX}${expr.id})`);
        return { value: expr, type: referent.type };
      }
      case 'name':
        return fail(expr.name === 'steps' ? 'No earlier step has that name: write steps.<name of a step before this one>' : `Unknown name "${expr.name}"`);
      case 'list': {
        const items = expr.items.map((item) => this.check(item));
        const of = items.reduce<Type | null>((acc, item) => (acc ? unify(acc, item.type) : item.type), null) ?? T.any;
        return { value: { kind: 'list', items: items.map((i) => i.value) }, type: T.list(of) };
      }
      case 'member':
        return this.member(expr);
      case 'index': {
        const object = this.check(expr.object);
        const index = this.check(expr.index);
        const base = withoutEmpty(object.type);
        const value: Expr = { kind: 'index', object: object.value, index: index.value };
        if (base.kind === 'list') {
          this.require(index, T.number, 'A list position');
          return { value, type: orEmpty(base.of) };
        }
        if (base.kind === 'object') {
          this.require(index, T.text, 'A field name');
          return { value, type: T.any };
        }
        if (base.kind === 'any') {
          // Nothing is known: it may be a list (`items[0]`) or an object (`data["a key"]`). Reading
          // an item that is not there is empty at run time, never an error.
          if (!isAssignable(index.type, T.number) && !isAssignable(index.type, T.text)) {
            this.typeFail(`A position or field name is needed in ${show(expr, this.env)}: ${show(expr.index, this.env)} is ${describeType(index.type)}`);
          }
          return { value, type: T.any };
        }
        if (base.kind === 'empty') return { value, type: T.empty };
        this.typeFail(`${show(expr.object, this.env)} is ${describeType(object.type)}: it has no items`);
        return { value, type: T.any };
      }
      case 'call':
        return this.call(expr);
      case 'unary': {
        const arg = this.check(expr.arg);
        if (expr.op === '!') {
          this.require(arg, T.boolean, show(expr.arg, this.env));
          return { value: { ...expr, arg: arg.value }, type: T.boolean };
        }
        this.require(arg, T.number, show(expr.arg, this.env));
        return { value: { ...expr, arg: arg.value }, type: T.number };
      }
      case 'binary':
        return this.binary(expr.op, expr);
      case 'conditional': {
        const test = this.check(expr.test);
        this.require(test, T.boolean, show(expr.test, this.env));
        const then = this.check(expr.then);
        const otherwise = this.check(expr.else);
        return {
          value: { kind: 'conditional', test: test.value, then: then.value, else: otherwise.value },
          type: unify(then.type, otherwise.type),
        };
      }
    }
  }

  /** A type rule broken: an error, except in lenient mode (see TypeEnv.lenient). */
  private typeFail(message: string): void {
    if (!this.env.lenient) fail(message);
  }

  private require(checked: Checked<Expr>, expected: Type, what: string) {
    if (!isAssignable(checked.type, expected)) this.typeFail(mismatch(what, checked.type, expected));
  }

  private member(expr: Extract<Expr, { kind: 'member' }>): Checked<Expr> {
    const object = this.check(expr.object);
    const base = withoutEmpty(object.type);
    const nullable = mayBeEmpty(object.type) && base.kind !== 'any';
    let key = expr.property;
    if (key.startsWith(REF_PREFIX)) {
      // On a list, the id names a field of its items: resolved so the message can say "pick an item first".
      const owner = base.kind === 'list' ? withoutEmpty(base.of) : base;
      const byId = owner.kind === 'object' ? ownEntry(owner.fieldIds, key.slice(REF_PREFIX.length)) : undefined;
      if (byId === undefined) return fail(`${show(expr.object, this.env)} has no field with id ${key}: it was removed`);
      key = byId;
    }
    const value: Expr = { kind: 'member', object: object.value, property: key };
    switch (base.kind) {
      case 'object': {
        if (!base.fields) return { value, type: T.any };
        const field = ownEntry(base.fields, key);
        if (!field) {
          const known = Object.keys(base.fields);
          this.typeFail(
            `${show(expr.object, this.env)} has no field "${key}"${known.length ? ` (its fields: ${known.join(', ')})` : ''}; declare it on the parameter`,
          );
          return { value, type: T.any };
        }
        return { value, type: nullable ? orEmpty(field) : field };
      }
      case 'any':
        return { value, type: T.any };
      case 'empty':
        return { value, type: T.empty };
      case 'list':
        this.typeFail(`${show(expr.object, this.env)} is ${describeType(object.type)}: pick an item first, e.g. ${show(expr.object, this.env)}[0].${key}`);
        return { value, type: T.any };
      default:
        this.typeFail(`${show(expr.object, this.env)} is ${describeType(object.type)}: it has no field "${key}"`);
        return { value, type: T.any };
    }
  }

  private call(expr: Extract<Expr, { kind: 'call' }>): Checked<Expr> {
    const spec = functionSpec(expr.fn);
    if (!spec) return fail(`Unknown function "${expr.fn}"`);
    const { min, max } = arity(spec);
    if (expr.args.length < min || expr.args.length > max) {
      const count = min === max ? `${min} value${min === 1 ? '' : 's'}` : `${min}${max === min + 1 ? ' or ' : ' to '}${max} values`;
      return fail(`${signature(spec)} takes ${count}, got ${expr.args.length}`);
    }
    const args = expr.args.map((arg, i) => {
      const param = spec.params[i]!;
      const checked = this.check(arg);
      if (!isAssignable(checked.type, param.type)) this.typeFail(`The ${param.name} of ${spec.name}: ${mismatch(show(arg, this.env), checked.type, param.type)}`);
      // Fixed text (a time zone, a date pattern) is checked now rather than when a run reaches it.
      const problem = checked.value.kind === 'literal' ? param.checkLiteral?.(checked.value.value) : undefined;
      if (problem) fail(`${spec.name}: ${problem}`);
      return checked.value;
    });
    return { value: { kind: 'call', fn: spec.name, args }, type: spec.returns };
  }

  private binary(op: BinaryOp, expr: Extract<Expr, { kind: 'binary' }>): Checked<Expr> {
    const left = this.check(expr.left);
    const right = this.check(expr.right);
    const value: Expr = { kind: 'binary', op, left: left.value, right: right.value };
    const l = show(expr.left, this.env);
    const r = show(expr.right, this.env);
    switch (op) {
      case '??':
        return { value, type: left.type.kind === 'any' ? T.any : unify(withoutEmpty(left.type), right.type) };
      case '&&':
      case '||':
        this.require(left, T.boolean, l);
        this.require(right, T.boolean, r);
        return { value, type: T.boolean };
      case '==':
      case '!=':
        return { value, type: T.boolean };
      case '+':
        if (left.type.kind === 'text' || right.type.kind === 'text') {
          for (const [side, what] of [[left, l], [right, r]] as const) {
            // A date would read as ISO 8601 in UTC, rarely what a message means: the builder says how.
            if (withoutEmpty(side.type).kind === 'date') {
              this.typeFail(`Cannot join ${what} to text: it is ${describeType(side.type)}; format it first, formatDate(${what}, "yyyy-MM-dd")`);
            } else if (mayBeEmpty(side.type) || side.type.kind === 'list' || side.type.kind === 'object') {
              const fix = side.type.kind === 'any' ? ` (convert it: toText(${what}))` : mayBeEmpty(side.type) ? ` (give it a default: ${what} ?? "")` : '';
              this.typeFail(`Cannot join ${what} to text: it is ${describeType(side.type)}${fix}`);
            }
          }
          return { value, type: T.text };
        }
        this.arithmetic(expr, left, right, l, r);
        return { value, type: T.number };
      case '-':
      case '*':
      case '/':
      case '%':
        this.arithmetic(expr, left, right, l, r);
        return { value, type: T.number };
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const kind = withoutEmpty(left.type).kind;
        const comparable = kind === 'number' || kind === 'text' || kind === 'date';
        const target: Type = comparable ? { kind } : T.number;
        this.require(left, target, l);
        this.require(right, target, r);
        return { value, type: T.boolean };
      }
    }
  }

  /** "amount * name: name is text; a number is needed". With the date function to use instead, for dates. */
  private arithmetic(whole: Extract<Expr, { kind: 'binary' }>, left: Checked<Expr>, right: Checked<Expr>, l: string, r: string) {
    for (const [side, what] of [[left, l], [right, r]] as const) {
      if (isAssignable(side.type, T.number)) continue;
      const isDate = (type: Type) => withoutEmpty(type).kind === 'date';
      let hint = '';
      if (isDate(side.type) && whole.op === '+') hint = `: to move a date, use addDays(${what}, …) (or addHours, addMonths…)`;
      else if (isDate(side.type) && whole.op === '-' && isDate(left.type) && isDate(right.type)) {
        hint = `: for the time between two dates, use diffDays(${r}, ${l}) (or diffHours, diffMonths…)`;
      } else if (isDate(side.type) && whole.op === '-' && side === left) hint = `: to move a date back, use addDays(${what}, -…) (or addHours, addMonths…)`;
      this.typeFail(`${show(whole, this.env)}: ${mismatch(what, side.type, T.number)}${hint}`);
    }
  }
}

const PRECEDENCE: Record<BinaryOp, number> = {
  '??': 1,
  '||': 1,
  '&&': 2,
  '==': 6,
  '!=': 6,
  '<': 7,
  '<=': 7,
  '>': 7,
  '>=': 7,
  '+': 9,
  '-': 9,
  '*': 10,
  '/': 10,
  '%': 10,
};

/** Prints an expression the way the editor shows it (current names), for messages. */
export function show(expr: Expr, env: TypeEnv, parent = 0): string {
  const wrap = (text: string, own: number) => (own < parent ? `(${text})` : text);
  switch (expr.kind) {
    case 'literal':
      return typeof expr.value === 'string' ? JSON.stringify(expr.value) : String(expr.value);
    case 'ref':
      return env.lookup(expr.id)?.name ?? `${REF_PREFIX}${expr.id}`;
    case 'name':
      return expr.name;
    case 'now':
      return 'now';
    case 'list':
      return `[${expr.items.map((i) => show(i, env)).join(', ')}]`;
    case 'member': {
      const property = expr.property.startsWith(REF_PREFIX) ? fieldName(expr, env) : expr.property;
      return `${show(expr.object, env, 20)}.${property}`;
    }
    case 'index':
      return `${show(expr.object, env, 20)}[${show(expr.index, env)}]`;
    case 'call':
      return `${expr.fn}(${expr.args.map((a) => show(a, env)).join(', ')})`;
    case 'unary':
      return wrap(`${expr.op}${show(expr.arg, env, 15)}`, 15);
    case 'binary': {
      const own = PRECEDENCE[expr.op];
      return wrap(`${show(expr.left, env, own)} ${expr.op} ${show(expr.right, env, own + 1)}`, own);
    }
    case 'conditional':
      return wrap(`${show(expr.test, env, 1)} ? ${show(expr.then, env)} : ${show(expr.else, env)}`, 0.5);
  }
}

/** The key of a field written by id, found through the declared types along the path (`items[0].$f`). */
function fieldName(expr: Extract<Expr, { kind: 'member' }>, env: TypeEnv): string {
  const type = declaredType(expr.object, env);
  const base = type && withoutEmpty(type);
  return (base?.kind === 'object' && ownEntry(base.fieldIds, expr.property.slice(REF_PREFIX.length))) || expr.property;
}

/** The declared type of a reference, an item of it, or a field of it; undefined for anything else. */
function declaredType(expr: Expr, env: TypeEnv): Type | undefined {
  switch (expr.kind) {
    case 'ref':
      return env.lookup(expr.id)?.type;
    case 'index': {
      const list = declaredType(expr.object, env);
      const base = list && withoutEmpty(list);
      return base?.kind === 'list' ? base.of : undefined;
    }
    case 'member': {
      const object = declaredType(expr.object, env);
      const base = object && withoutEmpty(object);
      if (base?.kind !== 'object') return undefined;
      const key = expr.property.startsWith(REF_PREFIX) ? ownEntry(base.fieldIds, expr.property.slice(REF_PREFIX.length)) : expr.property;
      return key === undefined ? undefined : ownEntry(base.fields, key);
    }
    default:
      return undefined;
  }
}
