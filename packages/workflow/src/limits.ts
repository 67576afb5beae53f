/**
 * Bounds on what builders and callers control, checked where it enters. Expression bounds are
 * checked at compile time, so that whatever compiles can also be stored, deployed and evaluated
 * (the evaluator and the schemas that read definitions back recurse once per level of nesting).
 */
export const LIMITS = {
  /** Characters of one expression field (a template, an "Only when"). */
  expressionChars: 10_000,
  /** Nesting of one expression: parentheses, operators, calls, field access. */
  expressionDepth: 64,
  /** Nodes of one parsed expression (operators, literals, references...). */
  expressionNodes: 500,
  /** `{{ }}` parts of one template. */
  templateParts: 200,
  /** Characters of any text value made while evaluating (joining text with +). */
  textChars: 1_048_576,
  /** Bytes (as JSON, estimated) of a list made while evaluating: a list of lists cannot multiply a body. */
  listBytes: 4 * 1_048_576,
  /** Nesting of JSON a caller may send (and of any JSON value stored in a run). */
  jsonDepth: 64,
  /** Bytes of a run's output and of each step's input and output, as stored JSON. */
  recordBytes: 1_048_576,
  /** Steps a definition may have. */
  steps: 5_000,
} as const;
