import { DATE_FUNCTIONS } from './dateFunctions.ts';
import { parseDate } from './dates.ts';
import { EvaluationError, type Value, boundedText, describeValue, formatValue } from './expression.ts';
import { T, type Type } from './types.ts';

/**
 * The functions expressions may call: one table drives the type checker (signatures), the
 * evaluator (implementations) and, later, the editor's autocomplete and docs. Every function is
 * total over its declared argument types and bounded in the size of what it makes.
 */
export interface FunctionSpec {
  name: string;
  /** Shown to builders (autocomplete, docs): short, with an example. */
  description: string;
  /** Optional parameters come last; a call may leave them out (`call` then gets fewer values). */
  params: FunctionParam[];
  returns: Type;
  call(args: Value[], ctx: FunctionContext): Value;
}

export interface FunctionParam {
  name: string;
  type: Type;
  /** May be left out of a call (only trailing parameters). */
  optional?: true;
  /**
   * Checks a literal argument when the workflow compiles (a time zone, a date pattern), so that a
   * mistake in fixed text is a diagnostic instead of a failed run. Returns what is wrong.
   */
  checkLiteral?(value: Value): string | undefined;
}

/** What a call may read besides its arguments. */
export interface FunctionContext {
  /** The IANA time zone date functions work in when not given one: the workflow's; absent: UTC. */
  readonly timeZone?: string;
}

/** How many values a call takes: every parameter up to the first optional one, and at most all. */
export function arity(spec: FunctionSpec): { min: number; max: number } {
  const firstOptional = spec.params.findIndex((p) => p.optional);
  return { min: firstOptional === -1 ? spec.params.length : firstOptional, max: spec.params.length };
}

/** The signature as builders read it: `addDays(date, days, timeZone?)`. */
export function signature(spec: FunctionSpec): string {
  return `${spec.name}(${spec.params.map((p) => `${p.name}${p.optional ? '?' : ''}`).join(', ')})`;
}

const quote = (value: Value) => (typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : describeValue(value));
const cannot = (value: Value, target: string) => new EvaluationError(`Cannot convert ${quote(value)} to ${target}`);

/** The conversions; the date functions (dateFunctions.ts) join them in `table()`. */
const CONVERSIONS: FunctionSpec[] = [
  {
    name: 'toNumber',
    description: 'Converts text ("12.5"), yes/no (1 or 0) or a date (milliseconds since 1970) to a number.',
    params: [{ name: 'value', type: T.any }],
    returns: T.number,
    call: ([value = null]) => {
      if (typeof value === 'number') return value;
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (value instanceof Date) return value.getTime();
      if (typeof value === 'string' && value.trim() !== '') {
        const n = Number(value.trim());
        if (Number.isFinite(n)) return n;
      }
      throw cannot(value, 'a number');
    },
  },
  {
    name: 'toText',
    description: 'Converts any value to text: dates as ISO 8601, lists and objects as JSON, empty as "".',
    params: [{ name: 'value', type: T.any }],
    returns: T.text,
    call: ([value = null]) => boundedText(formatValue(value)),
  },
  {
    name: 'toDate',
    description: 'Converts ISO 8601 text or milliseconds since 1970 to a date.',
    params: [{ name: 'value', type: T.any }],
    returns: T.date,
    call: ([value = null]) => {
      if (value instanceof Date) return value;
      const date = typeof value === 'string' || typeof value === 'number' ? parseDate(value) : null;
      if (!date) throw cannot(value, 'a date');
      return date;
    },
  },
  {
    name: 'toYesNo',
    description: 'Converts "yes"/"no", "true"/"false" or 1/0 to yes/no.',
    params: [{ name: 'value', type: T.any }],
    returns: T.boolean,
    call: ([value = null]) => {
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === 0) return value === 1;
      if (typeof value === 'string') {
        const word = value.trim().toLowerCase();
        if (word === 'yes' || word === 'true') return true;
        if (word === 'no' || word === 'false') return false;
      }
      throw cannot(value, 'yes/no');
    },
  },
  {
    name: 'isEmpty',
    description: 'Yes when the value is empty, empty text or an empty list.',
    params: [{ name: 'value', type: T.any }],
    returns: T.boolean,
    call: ([value = null]) => value === null || value === '' || (Array.isArray(value) && value.length === 0),
  },
];

/**
 * Built on first use: dateFunctions.ts imports expression.ts, which imports this module, so the
 * date functions may not be initialised yet while this module loads (whichever is imported first).
 */
let built: { list: readonly FunctionSpec[]; byName: ReadonlyMap<string, FunctionSpec> } | undefined;
function table() {
  if (!built) {
    const list = [...CONVERSIONS, ...DATE_FUNCTIONS];
    built = { list, byName: new Map(list.map((f) => [f.name, f])) };
  }
  return built;
}

export function functionSpec(name: string): FunctionSpec | undefined {
  return table().byName.get(name);
}

export function functionSpecs(): readonly FunctionSpec[] {
  return table().list;
}

export function callFunction(name: string, args: Value[], ctx: FunctionContext = {}): Value {
  const spec = table().byName.get(name);
  if (!spec) throw new EvaluationError(`Unknown function "${name}"`);
  return spec.call(args, ctx);
}
