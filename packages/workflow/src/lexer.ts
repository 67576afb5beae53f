/**
 * A tokeniser for expression text that never fails, for the editor's name <-> id conversion of
 * text being typed (which is often not a valid expression yet). Parsing proper is jsep's job.
 */
export interface Token {
  type: 'ident' | 'string' | 'number' | 'punct' | 'space';
  text: string;
  start: number;
}

const IDENT_START = /[A-Za-z_$]/;
const IDENT_PART = /[A-Za-z0-9_$]/;
const DIGIT = /[0-9]/;

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const start = i;
    const c = source[i]!;
    if (c === '"' || c === "'") {
      i++;
      while (i < source.length && source[i] !== c) i += source[i] === '\\' ? 2 : 1;
      i = Math.min(i + 1, source.length);
      tokens.push({ type: 'string', text: source.slice(start, i), start });
    } else if (IDENT_START.test(c)) {
      while (i < source.length && IDENT_PART.test(source[i]!)) i++;
      tokens.push({ type: 'ident', text: source.slice(start, i), start });
    } else if (DIGIT.test(c) || (c === '.' && DIGIT.test(source[i + 1] ?? ''))) {
      // Digits, a fraction, an exponent, and letters glued on (so "1e5" or "2px" stays one token).
      while (i < source.length && /[0-9A-Za-z_.]/.test(source[i]!)) {
        if ((source[i] === 'e' || source[i] === 'E') && (source[i + 1] === '+' || source[i + 1] === '-')) i++;
        i++;
      }
      tokens.push({ type: 'number', text: source.slice(start, i), start });
    } else if (/\s/.test(c)) {
      while (i < source.length && /\s/.test(source[i]!)) i++;
      tokens.push({ type: 'space', text: source.slice(start, i), start });
    } else {
      i++;
      tokens.push({ type: 'punct', text: c, start });
    }
  }
  return tokens;
}

/**
 * The regions of a template that hold expressions: the inside of each `{{ }}`; an unclosed `{{`
 * runs to the end (the builder is still typing).
 */
export function expressionRegions(template: string): { start: number; end: number }[] {
  const regions: { start: number; end: number }[] = [];
  let from = 0;
  for (;;) {
    const open = template.indexOf('{{', from);
    if (open === -1) break;
    const close = template.indexOf('}}', open + 2);
    const end = close === -1 ? template.length : close;
    regions.push({ start: open + 2, end });
    if (close === -1) break;
    from = close + 2;
  }
  return regions;
}
