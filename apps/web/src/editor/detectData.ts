import { type Parameter, type ParameterProposal, IDENTIFIER, detectParameters, isReservedWord } from '@switchyard/workflow';
import type { RouterOutputs } from '../api/types.ts';
import { newId } from '../lib/id.ts';

/** What `workflow.detect.result` says: closed, waiting, expired, or the captured sample. */
export type DetectState = RouterOutputs['workflow']['detect']['result'];
export type DetectSample = Extract<DetectState, { state: 'captured' }>['sample'];

/** One proposal as the dialog edits it: ticked or not, its key and type changed by the builder. */
export interface ProposalRow {
  include: boolean;
  parameter: Parameter;
  sourceKey: string;
  example: string;
  notes: string[];
}

/** The URL a sender posts its sample to (the draft's `initialize`). */
export function detectUrl(origin: string, name: string): string {
  return `${origin.replace(/\/+$/, '')}/version-test/api/1.1/wf/${name}/initialize`;
}

/**
 * A ready curl command with example values, to paste into a terminal or adapt to the sender: a
 * JSON body for POST endpoints, a query string for GET ones (their parameters come from it).
 */
export function curlExample(url: string, method: 'POST' | 'GET' = 'POST', token = false): string {
  // A token-guarded endpoint takes its sample with the same credentials as its calls.
  const auth = token ? ` \\\n  -H 'authorization: Bearer <token>'` : '';
  if (method === 'GET') return `curl '${url}?name=Ada&amount=12.5&paid=true'${auth}`;
  return `curl -X POST '${url}'${auth} \\\n  -H 'content-type: application/json' \\\n  -d '{"name": "Ada", "amount": 12.5, "paid": true}'`;
}

/** The dialog's rows from a captured sample: the kernel's proposals, the suggested ones ticked. */
export function rowsFromSample(sample: DetectSample, takenKeys: readonly string[]): { rows: ProposalRow[]; skipped: { key: string; reason: string }[] } {
  const detection = detectParameters(sample.body, {
    newId,
    textValues: sample.contentType === 'form',
    query: sample.query,
    takenKeys,
  });
  return {
    rows: detection.proposals.map((p: ParameterProposal) => ({ include: p.suggested, parameter: p.parameter, sourceKey: p.sourceKey, example: p.example, notes: p.notes })),
    skipped: detection.skipped,
  };
}

/**
 * What is wrong with a ticked row's key (the compiler's rules, and no key twice, here or among
 * the event's parameters), keyed by parameter id. Accept is disabled while any remains.
 */
export function keyProblems(rows: readonly ProposalRow[], takenKeys: readonly string[]): Map<string, string> {
  const problems = new Map<string, string>();
  const seen = new Set(takenKeys);
  for (const row of rows) {
    if (!row.include) continue;
    const key = row.parameter.key.trim();
    if (key === '') problems.set(row.parameter.id, 'Key is required');
    else if (!IDENTIFIER.test(key)) problems.set(row.parameter.id, 'Letters, digits and underscores only, not starting with a digit');
    else if (isReservedWord(key)) problems.set(row.parameter.id, `"${key}" is a reserved word`);
    else if (seen.has(key)) problems.set(row.parameter.id, `Two parameters would be called "${key}"`);
    seen.add(key);
  }
  return problems;
}

/** The ticked rows as parameters to add (keys trimmed). */
export function acceptedParameters(rows: readonly ProposalRow[]): Parameter[] {
  return rows.filter((r) => r.include).map((r) => ({ ...r.parameter, key: r.parameter.key.trim() }));
}
