import jsep from 'jsep';
import { z } from 'zod';

/**
 * Expressions are parsed once, at compile time, into this small serialisable tree and evaluated by
 * `evaluate` below. Builder text is never handed to a JavaScript engine: jsep only tokenises and
 * parses, and anything outside the whitelisted node types is a compile error.
 */
export type Expr =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'param'; key: string }
  | { kind: 'now' }
  | { kind: 'unary'; op: UnaryOp; arg: Expr }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
  | { kind: 'conditional'; test: Expr; then: Expr; else: Expr };

export const UNARY_OPS = ['-', '!'] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];
export const BINARY_OPS = ['+', '-', '*', '/', '%', '==', '!=', '<', '<=', '>', '>=', '&&', '||'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

export const Expr: z.ZodType<Expr> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('literal'), value: z.union([z.string(), z.number(), z.boolean(), z.null()]) }),
    z.object({ kind: z.literal('param'), key: z.string() }),
    z.object({ kind: z.literal('now') }),
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
export type Value = string | number | boolean | Date | null;

export class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    /** Character offset in the source text, when known. */
    readonly offset?: number,
  ) {
    super(message);
    this.name = 'ExpressionSyntaxError';
  }
}

/** Raised at run time, e.g. dividing by zero or multiplying text. Its message is shown to builders. */
export class EvaluationError extends Error {
  override name = 'EvaluationError';
}

/** Parses one expression (without the surrounding braces). */
export function parseExpression(source: string): Expr {
  if (source.trim() === '') throw new ExpressionSyntaxError('Empty expression');
  let tree: jsep.Expression;
  try {
    tree = jsep(source);
  } catch (error) {
    const e = error as { description?: string; index?: number; message: string };
    throw new ExpressionSyntaxError(e.description ?? e.message, e.index);
  }
  return convert(tree);
}

function convert(node: jsep.Expression): Expr {
  switch (node.type) {
    case 'Literal': {
      const value = (node as jsep.Literal).value;
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) {
        return { kind: 'literal', value };
      }
      throw new ExpressionSyntaxError(`Unsupported literal ${String((node as jsep.Literal).raw)}`);
    }
    case 'Identifier': {
      const name = (node as jsep.Identifier).name;
      return name === 'now' ? { kind: 'now' } : { kind: 'param', key: name };
    }
    case 'UnaryExpression': {
      const { operator, argument } = node as jsep.UnaryExpression;
      if (operator === '+') return convert(argument);
      if (!(UNARY_OPS as readonly string[]).includes(operator)) {
        throw new ExpressionSyntaxError(`Unsupported operator "${operator}"`);
      }
      return { kind: 'unary', op: operator as UnaryOp, arg: convert(argument) };
    }
    case 'BinaryExpression': {
      const { operator, left, right } = node as jsep.BinaryExpression;
      const op = operator === '===' ? '==' : operator === '!==' ? '!=' : operator;
      if (!(BINARY_OPS as readonly string[]).includes(op)) {
        throw new ExpressionSyntaxError(`Unsupported operator "${operator}"`);
      }
      return { kind: 'binary', op: op as BinaryOp, left: convert(left), right: convert(right) };
    }
    case 'ConditionalExpression': {
      const { test, consequent, alternate } = node as jsep.ConditionalExpression;
      return { kind: 'conditional', test: convert(test), then: convert(consequent), else: convert(alternate) };
    }
    case 'CallExpression':
      throw new ExpressionSyntaxError('Function calls are not supported');
    case 'MemberExpression':
      throw new ExpressionSyntaxError('Property access (".") is not supported yet');
    case 'Compound':
      throw new ExpressionSyntaxError('Only one expression is allowed');
    default:
      throw new ExpressionSyntaxError(`Unsupported syntax (${node.type})`);
  }
}

/** Splits text into literal parts and `{{ expression }}` parts and parses each expression. */
export function parseTemplate(source: string): Template {
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
    if (close === -1) {
      throw new ExpressionSyntaxError('"{{" has no matching "}}"', consumed + open);
    }
    const inner = rest.slice(open + 2, close);
    try {
      parts.push({ expr: parseExpression(inner) });
    } catch (error) {
      if (error instanceof ExpressionSyntaxError) {
        throw new ExpressionSyntaxError(`In {{${inner.trim()}}}: ${error.message}`, consumed + open);
      }
      throw error;
    }
    consumed += close + 2;
    rest = rest.slice(close + 2);
  }
  return { parts };
}

/** Every parameter key an expression reads. */
export function paramsUsed(expr: Expr, into: Set<string> = new Set()): Set<string> {
  switch (expr.kind) {
    case 'param':
      into.add(expr.key);
      break;
    case 'unary':
      paramsUsed(expr.arg, into);
      break;
    case 'binary':
      paramsUsed(expr.left, into);
      paramsUsed(expr.right, into);
      break;
    case 'conditional':
      paramsUsed(expr.test, into);
      paramsUsed(expr.then, into);
      paramsUsed(expr.else, into);
      break;
  }
  return into;
}

export function templateParamsUsed(template: Template): Set<string> {
  const used = new Set<string>();
  for (const part of template.parts) if ('expr' in part) paramsUsed(part.expr, used);
  return used;
}

/** What an expression can see. The clock is passed in so evaluation stays pure and testable. */
export interface EvalContext {
  params: Readonly<Record<string, Value>>;
  now: Date;
}

export function evaluate(expr: Expr, ctx: EvalContext): Value {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'param':
      return ctx.params[expr.key] ?? null;
    case 'now':
      return ctx.now;
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

function evaluateBinary(op: BinaryOp, leftExpr: Expr, rightExpr: Expr, ctx: EvalContext): Value {
  // && and || short-circuit so that `x != null && x > 3` is safe.
  if (op === '&&') return truthy(evaluate(leftExpr, ctx)) && truthy(evaluate(rightExpr, ctx));
  if (op === '||') return truthy(evaluate(leftExpr, ctx)) || truthy(evaluate(rightExpr, ctx));
  const left = evaluate(leftExpr, ctx);
  const right = evaluate(rightExpr, ctx);
  switch (op) {
    case '+':
      if (typeof left === 'string' || typeof right === 'string') return formatValue(left) + formatValue(right);
      return requireNumber(left, 'add') + requireNumber(right, 'add');
    case '-':
      return requireNumber(left, 'subtract') - requireNumber(right, 'subtract');
    case '*':
      return requireNumber(left, 'multiply') * requireNumber(right, 'multiply');
    case '/': {
      const divisor = requireNumber(right, 'divide');
      if (divisor === 0) throw new EvaluationError('Division by zero');
      return requireNumber(left, 'divide') / divisor;
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

function truthy(value: Value): boolean {
  if (value instanceof Date) return true;
  return Boolean(value);
}

function describe(value: Value): string {
  if (value === null) return 'empty';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'boolean') return 'yes/no';
  return typeof value === 'string' ? 'text' : 'a number';
}

function requireNumber(value: Value, verb: string): number {
  if (typeof value === 'number') return value;
  throw new EvaluationError(`Cannot ${verb} ${describe(value)}: a number is needed`);
}

function equals(left: Value, right: Value): boolean {
  if (left instanceof Date && right instanceof Date) return left.getTime() === right.getTime();
  return left === right;
}

function compare(left: Value, right: Value, op: string): number {
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  if (left instanceof Date && right instanceof Date) return left.getTime() - right.getTime();
  throw new EvaluationError(`Cannot compare ${describe(left)} ${op} ${describe(right)}`);
}

/** How a value reads inside text. */
export function formatValue(value: Value): string {
  if (value === null) return '';
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** Evaluates a template: text for mixed templates, the raw value for a lone `{{expression}}`. */
export function renderTemplate(template: Template, ctx: EvalContext): Value {
  const [only, ...others] = template.parts;
  if (only && 'expr' in only && others.length === 0) return evaluate(only.expr, ctx);
  let out = '';
  for (const part of template.parts) out += 'text' in part ? part.text : formatValue(evaluate(part.expr, ctx));
  return out;
}

/** Makes a value fit for JSON (dates as ISO 8601 text). */
export function toJsonValue(value: Value): string | number | boolean | null {
  return value instanceof Date ? value.toISOString() : value;
}
