import jsep from 'jsep';
import { z } from 'zod';
import { type FunctionContext, callFunction } from './functions.ts';
import { LIMITS } from './limits.ts';

/**
 * Expressions are parsed once, at compile time, into this small serialisable tree and evaluated by
 * `evaluate` below. Builder text is never handed to a JavaScript engine: jsep only tokenises and
 * parses, and anything outside the whitelisted node types is a compile error.
 *
 * References are by stable id: in stored text a parameter or an earlier step is written `$<id>`
 * (the editor shows its current name instead, see references.ts), and parses to `ref`. A plain
 * `name` is what the builder typed that matched nothing; the compiler reports it, so compiled
 * definitions hold only `ref`s. A field of a declared object may be written `.$<fieldId>`; the
 * compiler turns it into the field's JSON key.
 */
export type Expr =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'ref'; id: string }
  | { kind: 'name'; name: string }
  | { kind: 'now' }
  | { kind: 'list'; items: Expr[] }
  | { kind: 'member'; object: Expr; property: string }
  | { kind: 'index'; object: Expr; index: Expr }
  | { kind: 'call'; fn: string; args: Expr[] }
  | { kind: 'unary'; op: UnaryOp; arg: Expr }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
  | { kind: 'conditional'; test: Expr; then: Expr; else: Expr };

export const UNARY_OPS = ['-', '!'] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];
export const BINARY_OPS = ['+', '-', '*', '/', '%', '==', '!=', '<', '<=', '>', '>=', '&&', '||', '??'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

export const Expr: z.ZodType<Expr> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('literal'), value: z.union([z.string(), z.number(), z.boolean(), z.null()]) }),
    z.object({ kind: z.literal('ref'), id: z.string() }),
    z.object({ kind: z.literal('name'), name: z.string() }),
    z.object({ kind: z.literal('now') }),
    z.object({ kind: z.literal('list'), items: z.array(Expr) }),
    z.object({ kind: z.literal('member'), object: Expr, property: z.string() }),
    z.object({ kind: z.literal('index'), object: Expr, index: Expr }),
    z.object({ kind: z.literal('call'), fn: z.string(), args: z.array(Expr) }),
    z.object({ kind: z.literal('unary'), op: z.enum(UNARY_OPS), arg: Expr }),
    z.object({ kind: z.literal('binary'), op: z.enum(BINARY_OPS), left: Expr, right: Expr }),
    z.object({ kind: z.literal('conditional'), test: Expr, then: Expr, else: Expr }),
  ]),
);

/** Text with `{{ expression }}` parts. A template that is exactly one expression keeps its value's type. */
export const Template = z.object({
  parts: z.array(z.union([z.object({ text: z.string() }), z.object({ expr: Expr })])),
});
export type Template = z.infer<typeof Template>;

/** A value an expression can produce. Dates are real Date objects at run time. */
export type Value = string | number | boolean | Date | null | readonly Value[] | { readonly [key: string]: Value };

export class ExpressionSyntaxError extends Error {
  override name = 'ExpressionSyntaxError';
  constructor(
    message: string,
    /** Character offset in the source text, when known. */
    readonly offset?: number,
  ) {
    super(message);
  }
}

/** Raised at run time, e.g. dividing by zero or a failed conversion. Its message is shown to builders. */
export class EvaluationError extends Error {
  override name = 'EvaluationError';
}

/** The identifier prefix of a reference by id in stored text. */
export const REF_PREFIX = '$';

/** Parses one expression (without the surrounding braces), within the bounds of LIMITS. */
export function parseExpression(source: string): Expr {
  if (source.trim() === '') throw new ExpressionSyntaxError('Empty expression');
  if (source.length > LIMITS.expressionChars) {
    throw new ExpressionSyntaxError(`Expression is longer than ${LIMITS.expressionChars} characters`);
  }
  if (bracketDepth(source) > LIMITS.expressionDepth) throw tooDeep();
  let tree: jsep.Expression;
  try {
    tree = jsep(source);
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep();
    const e = error as { description?: string; index?: number; message: string };
    throw new ExpressionSyntaxError(e.description ?? e.message, e.index);
  }
  const counter = { nodes: 0 };
  return convert(tree, 0, counter);
}

const tooDeep = () => new ExpressionSyntaxError(`Expression is nested more than ${LIMITS.expressionDepth} levels deep`);

/** Deepest nesting of brackets outside string literals, so jsep never recurses past our bound. */
function bracketDepth(source: string): number {
  let depth = 0;
  let max = 0;
  let quote: string | null = null;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') max = Math.max(max, ++depth);
    else if (c === ')' || c === ']' || c === '}') depth--;
  }
  return max;
}

function convert(node: jsep.Expression, depth: number, counter: { nodes: number }): Expr {
  if (depth > LIMITS.expressionDepth) throw tooDeep();
  if (++counter.nodes > LIMITS.expressionNodes) {
    throw new ExpressionSyntaxError(`Expression has more than ${LIMITS.expressionNodes} parts; split it into steps`);
  }
  const next = (child: jsep.Expression) => convert(child, depth + 1, counter);
  switch (node.type) {
    case 'Literal': {
      const value = (node as jsep.Literal).value;
      if (typeof value === 'string' || typeof value === 'boolean' || value === null) return { kind: 'literal', value };
      if (typeof value === 'number' && Number.isFinite(value)) return { kind: 'literal', value };
      throw new ExpressionSyntaxError(`Unsupported literal ${String((node as jsep.Literal).raw)}`);
    }
    case 'Identifier': {
      const name = (node as jsep.Identifier).name;
      if (name === 'now') return { kind: 'now' };
      if (name.startsWith(REF_PREFIX)) return { kind: 'ref', id: name.slice(REF_PREFIX.length) };
      return { kind: 'name', name };
    }
    case 'ThisExpression':
      throw new ExpressionSyntaxError('"this" is not supported');
    case 'ArrayExpression': {
      const elements = (node as jsep.ArrayExpression).elements;
      if (elements.some((e) => e === null)) throw new ExpressionSyntaxError('A list may not have empty places');
      return { kind: 'list', items: elements.map((e) => next(e as jsep.Expression)) };
    }
    case 'MemberExpression': {
      const { object, property, computed } = node as jsep.MemberExpression;
      if (computed) return { kind: 'index', object: next(object), index: next(property) };
      if (property.type !== 'Identifier') throw new ExpressionSyntaxError('Expected a field name after "."');
      return { kind: 'member', object: next(object), property: (property as jsep.Identifier).name };
    }
    case 'CallExpression': {
      const { callee, arguments: args } = node as jsep.CallExpression;
      if (callee.type !== 'Identifier') throw new ExpressionSyntaxError('Only functions can be called, by name');
      return { kind: 'call', fn: (callee as jsep.Identifier).name, args: args.map(next) };
    }
    case 'UnaryExpression': {
      const { operator, argument } = node as jsep.UnaryExpression;
      if (operator === '+') return next(argument);
      if (!(UNARY_OPS as readonly string[]).includes(operator)) {
        throw new ExpressionSyntaxError(`Unsupported operator "${operator}"`);
      }
      return { kind: 'unary', op: operator as UnaryOp, arg: next(argument) };
    }
    case 'BinaryExpression': {
      const { operator, left, right } = node as jsep.BinaryExpression;
      const op = operator === '===' ? '==' : operator === '!==' ? '!=' : operator;
      if (!(BINARY_OPS as readonly string[]).includes(op)) {
        throw new ExpressionSyntaxError(`Unsupported operator "${operator}"`);
      }
      return { kind: 'binary', op: op as BinaryOp, left: next(left), right: next(right) };
    }
    case 'ConditionalExpression': {
      const { test, consequent, alternate } = node as jsep.ConditionalExpression;
      return { kind: 'conditional', test: next(test), then: next(consequent), else: next(alternate) };
    }
    case 'Compound':
      throw new ExpressionSyntaxError('Only one expression is allowed');
    default:
      throw new ExpressionSyntaxError(`Unsupported syntax (${node.type})`);
  }
}

/** Splits text into literal parts and `{{ expression }}` parts and parses each expression. */
export function parseTemplate(source: string): Template {
  if (source.length > LIMITS.expressionChars) {
    throw new ExpressionSyntaxError(`Text is longer than ${LIMITS.expressionChars} characters`);
  }
  const parts: Template['parts'] = [];
  let rest = source;
  let consumed = 0;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    if (open === -1) {
      parts.push({ text: rest });
      break;
    }
    if (open > 0) parts.push({ text: rest.slice(0, open) });
    const close = rest.indexOf('}}', open + 2);
    if (close === -1) throw new ExpressionSyntaxError('"{{" has no matching "}}"', consumed + open);
    const inner = rest.slice(open + 2, close);
    try {
      parts.push({ expr: parseExpression(inner) });
    } catch (error) {
      if (error instanceof ExpressionSyntaxError) {
        throw new ExpressionSyntaxError(`In {{${inner.trim()}}}: ${error.message}`, consumed + open);
      }
      throw error;
    }
    if (parts.length > LIMITS.templateParts) {
      throw new ExpressionSyntaxError(`Text has more than ${LIMITS.templateParts} parts`);
    }
    consumed += close + 2;
    rest = rest.slice(close + 2);
  }
  return { parts };
}

/** Visits every node of an expression, children after parents. */
export function walk(expr: Expr, visit: (node: Expr) => void): void {
  visit(expr);
  switch (expr.kind) {
    case 'list':
      expr.items.forEach((item) => walk(item, visit));
      break;
    case 'member':
      walk(expr.object, visit);
      break;
    case 'index':
      walk(expr.object, visit);
      walk(expr.index, visit);
      break;
    case 'call':
      expr.args.forEach((arg) => walk(arg, visit));
      break;
    case 'unary':
      walk(expr.arg, visit);
      break;
    case 'binary':
      walk(expr.left, visit);
      walk(expr.right, visit);
      break;
    case 'conditional':
      walk(expr.test, visit);
      walk(expr.then, visit);
      walk(expr.else, visit);
      break;
  }
}

/** The ids a template or expression references. */
export function refsUsed(source: Template | Expr): Set<string> {
  const ids = new Set<string>();
  const visit = (node: Expr) => {
    if (node.kind === 'ref') ids.add(node.id);
  };
  if ('parts' in source) {
    for (const part of source.parts) if ('expr' in part) walk(part.expr, visit);
  } else walk(source, visit);
  return ids;
}

/**
 * What an expression can see: values by stable id (parameters, earlier steps' results), the clock,
 * and the time zone date functions work in (`timeZone`, see FunctionContext).
 */
export interface EvalContext extends FunctionContext {
  values: ReadonlyMap<string, Value>;
  now: Date;
}

export function evaluate(expr: Expr, ctx: EvalContext): Value {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'ref':
      return ctx.values.get(expr.id) ?? null;
    case 'name':
      // Compiled definitions hold no names (the compiler reports them); this is a bug if reached.
      throw new EvaluationError(`Unknown name "${expr.name}"`);
    case 'now':
      return ctx.now;
    case 'list':
      return boundedList(expr.items.map((item) => evaluate(item, ctx)));
    case 'member':
      return field(evaluate(expr.object, ctx), expr.property);
    case 'index':
      return item(evaluate(expr.object, ctx), evaluate(expr.index, ctx));
    case 'call':
      return callFunction(
        expr.fn,
        expr.args.map((arg) => evaluate(arg, ctx)),
        ctx,
      );
    case 'unary': {
      const value = evaluate(expr.arg, ctx);
      if (expr.op === '!') return !truthy(value);
      return -requireNumber(value, 'negate');
    }
    case 'conditional':
      return truthy(evaluate(expr.test, ctx)) ? evaluate(expr.then, ctx) : evaluate(expr.else, ctx);
    case 'binary':
      return evaluateBinary(expr.op, expr.left, expr.right, ctx);
  }
}

/** Sets an own property, even one called "__proto__", without touching the object's prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function isRecord(value: Value): value is { readonly [key: string]: Value } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A field of an object; a missing path is empty, not an error. Only own fields are visible. */
function field(object: Value, key: string): Value {
  if (!isRecord(object) || !Object.hasOwn(object, key)) return null;
  return object[key] ?? null;
}

function item(list: Value, index: Value): Value {
  if (Array.isArray(list)) {
    if (typeof index !== 'number' || !Number.isInteger(index)) return null;
    return (list as Value[])[index < 0 ? list.length + index : index] ?? null;
  }
  if (typeof index === 'string') return field(list, index);
  return null;
}

function evaluateBinary(op: BinaryOp, leftExpr: Expr, rightExpr: Expr, ctx: EvalContext): Value {
  // &&, || and ?? short-circuit so that `x != null && x > 3` is safe.
  if (op === '&&') return truthy(evaluate(leftExpr, ctx)) && truthy(evaluate(rightExpr, ctx));
  if (op === '||') return truthy(evaluate(leftExpr, ctx)) || truthy(evaluate(rightExpr, ctx));
  if (op === '??') return evaluate(leftExpr, ctx) ?? evaluate(rightExpr, ctx);
  const left = evaluate(leftExpr, ctx);
  const right = evaluate(rightExpr, ctx);
  switch (op) {
    case '+':
      if (typeof left === 'string' || typeof right === 'string') return boundedText(formatValue(left) + formatValue(right));
      return finite(requireNumber(left, 'add') + requireNumber(right, 'add'));
    case '-':
      return finite(requireNumber(left, 'subtract') - requireNumber(right, 'subtract'));
    case '*':
      return finite(requireNumber(left, 'multiply') * requireNumber(right, 'multiply'));
    case '/': {
      const divisor = requireNumber(right, 'divide');
      if (divisor === 0) throw new EvaluationError('Division by zero');
      return finite(requireNumber(left, 'divide') / divisor);
    }
    case '%': {
      const divisor = requireNumber(right, 'take the remainder of');
      if (divisor === 0) throw new EvaluationError('Division by zero');
      return requireNumber(left, 'take the remainder of') % divisor;
    }
    case '==':
      return equals(left, right);
    case '!=':
      return !equals(left, right);
    case '<':
      return compare(left, right, op) < 0;
    case '<=':
      return compare(left, right, op) <= 0;
    case '>':
      return compare(left, right, op) > 0;
    case '>=':
      return compare(left, right, op) >= 0;
  }
}

/**
 * A list made by an expression is bounded in size (LIMITS.listBytes, as JSON, estimated with an
 * early stop), so `[items, items, items, ...]` cannot turn a 1 MiB body into hundreds of MiB.
 */
function boundedList(items: Value[]): Value[] {
  let budget = LIMITS.listBytes;
  const stack: Value[] = [...items];
  while (stack.length > 0) {
    const value = stack.pop()!;
    if (value === null || typeof value === 'boolean') budget -= 5;
    else if (typeof value === 'number') budget -= 8;
    else if (typeof value === 'string') budget -= value.length + 2;
    else if (value instanceof Date) budget -= 26;
    else if (Array.isArray(value)) {
      budget -= 2 + value.length;
      for (const item of value as Value[]) stack.push(item);
    } else {
      for (const [key, item] of Object.entries(value)) {
        budget -= key.length + 4;
        stack.push(item);
      }
    }
    if (budget < 0) throw new EvaluationError(`The list would be larger than ${LIMITS.listBytes / 1_048_576} MiB`);
  }
  return items;
}

/** Text made by joining is bounded, so a small call cannot build a huge value. */
export function boundedText(text: string): string {
  if (text.length > LIMITS.textChars) {
    throw new EvaluationError(`Text would be longer than ${LIMITS.textChars.toLocaleString('en')} characters`);
  }
  return text;
}

/** A result too large for a number (it would be sent as null) is an error instead. */
function finite(result: number): number {
  if (!Number.isFinite(result)) throw new EvaluationError('The result is too large for a number');
  return result;
}

export function truthy(value: Value): boolean {
  if (value instanceof Date || typeof value === 'object') return value !== null;
  return Boolean(value);
}

/** A value as builders read it in messages: "empty", "text", "a number"... */
export function describeValue(value: Value): string {
  if (value === null) return 'empty';
  if (value instanceof Date) return 'a date';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'boolean') return 'yes/no';
  return typeof value === 'string' ? 'text' : 'a number';
}

function requireNumber(value: Value, verb: string): number {
  if (typeof value === 'number') return value;
  throw new EvaluationError(`Cannot ${verb} ${describeValue(value)}: a number is needed`);
}

function equals(left: Value, right: Value): boolean {
  if (left instanceof Date && right instanceof Date) return left.getTime() === right.getTime();
  return left === right;
}

function compare(left: Value, right: Value, op: string): number {
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  if (left instanceof Date && right instanceof Date) return left.getTime() - right.getTime();
  throw new EvaluationError(`Cannot compare ${describeValue(left)} ${op} ${describeValue(right)}`);
}

/** How a value reads inside text: dates as ISO 8601, lists and objects as JSON. */
export function formatValue(value: Value): string {
  if (value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Evaluates a template: text for mixed templates, the raw value for a lone `{{expression}}`. */
export function renderTemplate(template: Template, ctx: EvalContext): Value {
  const [only, ...others] = template.parts;
  if (only && 'expr' in only && others.length === 0) return evaluate(only.expr, ctx);
  let out = '';
  for (const part of template.parts) {
    out = boundedText(out + ('text' in part ? part.text : formatValue(evaluate(part.expr, ctx))));
  }
  return out;
}

/** The JSON form of a value: dates as ISO 8601 text, everything else as it is. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export function toJsonValue(value: Value): Json {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (isRecord(value)) {
    // defineProperty-free construction: fromEntries makes own properties, so "__proto__" stays a key.
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, toJsonValue(v)]));
  }
  return value as Json;
}
