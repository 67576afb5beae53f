import { describe, expect, it } from 'vitest';
import { EvaluationError, ExpressionSyntaxError, evaluate, parseExpression, parseTemplate, renderTemplate } from './expression.ts';

const now = new Date('2026-03-29T00:30:00Z');
const ctx = { params: { amount: 20, name: 'Ada', vip: true, when: new Date('2026-01-01T00:00:00Z') }, now };
const run = (source: string) => evaluate(parseExpression(source), ctx);

describe('expressions', () => {
  it('does arithmetic with precedence and parameters', () => {
    expect(run('amount * 2 + 1')).toBe(41);
    expect(run('(amount - 5) / 3')).toBe(5);
    expect(run('-amount % 7')).toBe(-6);
  });

  it('compares, combines and chooses', () => {
    expect(run('amount >= 20 && vip')).toBe(true);
    expect(run('amount > 100 || !vip')).toBe(false);
    expect(run('vip ? "gold" : "plain"')).toBe('gold');
    expect(run('name === "Ada"')).toBe(true);
    expect(run('when < now')).toBe(true);
  });

  it('joins text with +', () => {
    expect(run('"Hi " + name + " #" + amount')).toBe('Hi Ada #20');
  });

  it('reads the clock it is given, not the machine clock', () => {
    expect(run('now')).toEqual(now);
  });

  it('refuses what is not part of the language, as a syntax error', () => {
    for (const source of ['process.exit()', 'constructor.constructor("x")()', 'a = 1', 'x; y', 'name.length', '[1,2]', '1 | 2']) {
      expect(() => parseExpression(source), source).toThrow(ExpressionSyntaxError);
    }
  });

  it('reports runtime mistakes with a readable message', () => {
    expect(() => run('amount / 0')).toThrow(new EvaluationError('Division by zero'));
    expect(() => run('name * 2')).toThrow(/Cannot multiply text/);
    expect(() => run('name < 3')).toThrow(/Cannot compare text < a number/);
  });
});

describe('templates', () => {
  it('interpolates expressions into text', () => {
    expect(renderTemplate(parseTemplate('Hello {{ name }}, you owe {{amount * 2}}'), ctx)).toBe('Hello Ada, you owe 40');
  });

  it('keeps the type of a lone expression', () => {
    expect(renderTemplate(parseTemplate('{{amount + 1}}'), ctx)).toBe(21);
    expect(renderTemplate(parseTemplate('{{vip}}'), ctx)).toBe(true);
  });

  it('leaves plain text alone', () => {
    expect(parseTemplate('no braces here')).toEqual({ parts: [{ text: 'no braces here' }] });
    expect(parseTemplate('')).toEqual({ parts: [] });
  });

  it('points at an unclosed or broken expression', () => {
    expect(() => parseTemplate('Hi {{name')).toThrow(/"\{\{" has no matching "\}\}"/);
    expect(() => parseTemplate('Hi {{name +}}')).toThrow(/In \{\{name \+\}\}/);
  });
});
