import type { Parameter, ParameterType } from '@switchyard/workflow';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { errorMessage, useTRPC, useTRPCClient } from '../api/trpc.ts';
import { Alert, CopyButton, Dialog, Spinner } from '../components/ui.tsx';
import { formatAbsolute } from '../lib/format.ts';
import { PARAMETER_TYPE_OPTIONS, describeParameter } from './describe.ts';
import { type ProposalRow, acceptedParameters, curlExample, detectUrl, keyProblems, rowsFromSample } from './detectData.ts';

/** How often the dialog asks whether the sample has come. */
const POLL_MS = 1000;

/**
 * "Detect data": opens a session on the server, shows where to send one sample request, waits for
 * it (polling), then lists the proposed parameters for the builder to tick, rename and retype.
 * Accept hands the ticked ones to `onAccept` (the editor store adds them, one undo step).
 */
export function DetectDataDialog({
  workflowId,
  name,
  method,
  needsToken,
  takenKeys,
  onAccept,
  onClose,
}: {
  workflowId: string;
  name: string;
  /** The endpoint's method: GET senders put everything in the query string. */
  method: 'POST' | 'GET';
  /** The endpoint requires a token: the sample does too. */
  needsToken: boolean;
  takenKeys: readonly string[];
  onAccept: (parameters: Parameter[]) => void;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [includeHeaders, setIncludeHeaders] = useState(false);
  const [started, setStarted] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const [detection, setDetection] = useState<{ key: string; rows: ProposalRow[]; skipped: { key: string; reason: string }[] } | null>(null);

  const resultOptions = trpc.workflow.detect.result.queryOptions(
    { workflowId },
    { enabled: started, staleTime: 0, refetchInterval: (query) => (query.state.data?.state === 'waiting' ? POLL_MS : false) },
  );
  const result = useQuery(resultOptions);
  const state = result.data;

  /** Opens the session (again: an earlier sample is forgotten). */
  const start = (headers: boolean) =>
    client.workflow.detect.start.mutate({ workflowId, includeHeaders: headers }).then(
      async () => {
        setStarted(true);
        await queryClient.invalidateQueries({ queryKey: resultOptions.queryKey });
      },
      (error: unknown) => setStartError(errorMessage(error)),
    );
  const listen = (headers: boolean) => {
    setStartError(null);
    setDetection(null);
    // The old sample's answer goes too, so it is not proposed again while the new session opens.
    queryClient.removeQueries({ queryKey: resultOptions.queryKey });
    void start(headers);
  };

  // Once, when the dialog opens. Closing stops the session (close below), not unmounting, so
  // React's double effects in development cannot stop a session just opened.
  const opened = useRef(false);
  useEffect(() => {
    if (opened.current) return;
    opened.current = true;
    void start(false);
  });

  // A new sample: propose from it once; the builder's edits then live in `detection`.
  const capturedKey = state?.state === 'captured' ? String(state.capturedAt.getTime()) : null;
  if (state?.state === 'captured' && capturedKey !== null && detection?.key !== capturedKey) {
    setDetection({ key: capturedKey, ...rowsFromSample(state.sample, takenKeys) });
  }
  const rows = capturedKey !== null && detection?.key === capturedKey ? detection.rows : null;
  const skipped = detection?.skipped ?? [];
  const setRows = (change: (rows: ProposalRow[] | null) => ProposalRow[] | null) =>
    setDetection((current) => (current ? { ...current, rows: change(current.rows) ?? current.rows } : current));

  const close = () => {
    void client.workflow.detect.stop.mutate({ workflowId }).catch(() => undefined);
    onClose();
  };

  const problems = rows ? keyProblems(rows, takenKeys) : new Map<string, string>();
  const ticked = rows?.filter((r) => r.include).length ?? 0;
  const canAccept = rows !== null && ticked > 0 && problems.size === 0;
  const accept = () => {
    if (!rows || !canAccept) return;
    onAccept(acceptedParameters(rows));
    close();
  };
  const setRow = (id: string, change: (row: ProposalRow) => ProposalRow) =>
    setRows((current) => current?.map((r) => (r.parameter.id === id ? change(r) : r)) ?? null);

  const url = detectUrl(window.location.origin, name);
  const waiting = state?.state === 'waiting' || (started && !state);

  return (
    <Dialog
      title="Detect data"
      onClose={close}
      onSubmit={accept}
      footer={
        <>
          {rows !== null && (
            <button type="button" className="btn btn-ghost detect-again" onClick={() => listen(includeHeaders)}>
              Send another sample
            </button>
          )}
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={!canAccept}>
            {rows === null ? 'Add parameters' : ticked === 1 ? 'Add 1 parameter' : `Add ${ticked} parameters`}
          </button>
        </>
      }
    >
      <div className="detect-data">
        {rows === null ? (
          <>
            <p>
              Send one request to this address, as the sender will: its JSON or form body and its query string become proposed parameters,
              which you can pick and change. Nothing runs.
            </p>
            <div className="detect-url">
              <code data-testid="detect-url">{url}</code>
              <CopyButton text={url} what="sample URL" />
            </div>
            <div className="detect-curl">
              <pre className="json" aria-label="Example curl command">
                {curlExample(url, method, needsToken)}
              </pre>
              <CopyButton text={curlExample(url, method, needsToken)} what="curl command" />
            </div>
            <div className="checkbox-field">
              <input
                id="detect-headers"
                type="checkbox"
                checked={includeHeaders}
                onChange={(e) => {
                  setIncludeHeaders(e.target.checked);
                  listen(e.target.checked);
                }}
              />
              <label htmlFor="detect-headers">Also capture the request&apos;s headers (credentials and signatures are never kept)</label>
            </div>
            {startError ? (
              <Alert>Could not start listening: {startError}</Alert>
            ) : result.error ? (
              <Alert>Could not read the result: {errorMessage(result.error)}</Alert>
            ) : state?.state === 'expired' || state?.state === 'closed' ? (
              <div className="detect-status" role="status">
                <p>{state.state === 'expired' ? 'No request came within 10 minutes.' : 'Not listening.'}</p>
                <button type="button" className="btn btn-sm" onClick={() => listen(includeHeaders)}>
                  Listen again
                </button>
              </div>
            ) : waiting ? (
              <div className="detect-status" data-testid="detect-waiting">
                <Spinner label={state?.state === 'waiting' ? `Waiting for a request… (until ${formatAbsolute(state.expiresAt)})` : 'Starting…'} />
              </div>
            ) : null}
          </>
        ) : (
          <Proposals rows={rows} problems={problems} skipped={skipped} headers={state?.state === 'captured' ? state.sample.headers : undefined} setRow={setRow} setRows={setRows} />
        )}
      </div>
    </Dialog>
  );
}

function Proposals({
  rows,
  problems,
  skipped,
  headers,
  setRow,
  setRows,
}: {
  rows: ProposalRow[];
  problems: Map<string, string>;
  skipped: { key: string; reason: string }[];
  headers: Record<string, string> | undefined;
  setRow: (id: string, change: (row: ProposalRow) => ProposalRow) => void;
  setRows: (change: (rows: ProposalRow[] | null) => ProposalRow[] | null) => void;
}) {
  const setAll = (include: boolean) => setRows((current) => current?.map((r) => ({ ...r, include })) ?? null);
  return (
    <>
      <p role="status">
        Request received. {rows.length === 0 ? 'It had no keys to propose.' : 'Tick the parameters to add; change a key or a type if it was guessed wrong.'}
      </p>
      {rows.length > 0 && (
        <>
          <div className="detect-bulk">
            <button type="button" className="btn btn-ghost btn-xs" onClick={() => setAll(true)}>
              Select all
            </button>
            <button type="button" className="btn btn-ghost btn-xs" onClick={() => setAll(false)}>
              Select none
            </button>
          </div>
          <table className="detect-table" aria-label="Proposed parameters">
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">Add</span>
                </th>
                <th scope="col">Key</th>
                <th scope="col">Type</th>
                <th scope="col">List</th>
                <th scope="col">Optional</th>
                <th scope="col">In the sample</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <ProposalLine key={row.parameter.id} row={row} problem={problems.get(row.parameter.id)} setRow={setRow} />
              ))}
            </tbody>
          </table>
        </>
      )}
      {skipped.length > 0 && (
        <div className="detect-skipped">
          <span className="field-label">Left out</span>
          <ul>
            {skipped.map((s, i) => (
              <li key={i}>
                <code>{s.key}</code>: {s.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      {headers && (
        <details className="detect-headers">
          <summary>Headers received ({Object.keys(headers).length})</summary>
          <p className="muted small">Parameters are read from the body and the query string, not from headers; these are shown for reference.</p>
          <dl>
            {Object.entries(headers).map(([name, value]) => (
              <div key={name}>
                <dt className="mono">{name}</dt>
                <dd className="mono">{value}</dd>
              </div>
            ))}
          </dl>
        </details>
      )}
    </>
  );
}

function ProposalLine({ row, problem, setRow }: { row: ProposalRow; problem: string | undefined; setRow: (id: string, change: (row: ProposalRow) => ProposalRow) => void }) {
  const p = row.parameter;
  const id = p.id;
  const update = (patch: Partial<Parameter>) => setRow(id, (r) => ({ ...r, parameter: { ...r.parameter, ...patch } }));
  const fields = p.type === 'object' && p.fields && p.fields.length > 0 ? p.fields : null;
  return (
    <tr className={row.include ? 'detect-row' : 'detect-row detect-row-off'}>
      <td>
        <input id={`detect-add-${id}`} type="checkbox" checked={row.include} onChange={(e) => setRow(id, (r) => ({ ...r, include: e.target.checked }))} />
        <label htmlFor={`detect-add-${id}`} className="visually-hidden">
          Add {row.sourceKey}
        </label>
      </td>
      <td>
        <label htmlFor={`detect-key-${id}`} className="visually-hidden">
          Key of {row.sourceKey}
        </label>
        <input
          id={`detect-key-${id}`}
          className="mono"
          value={p.key}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? `detect-problem-${id}` : undefined}
          onChange={(e) => update({ key: e.target.value })}
        />
        {problem && (
          <div className="field-error" id={`detect-problem-${id}`}>
            {problem}
          </div>
        )}
        {fields && <div className="muted small detect-fields">{fields.map((f) => `${f.key}: ${describeParameter({ ...f, optional: false }, false)}`).join(', ')}</div>}
      </td>
      <td>
        <label htmlFor={`detect-type-${id}`} className="visually-hidden">
          Type of {row.sourceKey}
        </label>
        <select
          id={`detect-type-${id}`}
          value={p.type}
          onChange={(e) => {
            const type = e.target.value as ParameterType;
            // Declared fields belong to objects only.
            setRow(id, (r) => {
              const { fields: _fields, ...rest } = r.parameter;
              return { ...r, parameter: type === 'object' ? { ...r.parameter, type } : { ...rest, type } };
            });
          }}
        >
          {PARAMETER_TYPE_OPTIONS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </td>
      <td>
        <input id={`detect-list-${id}`} type="checkbox" checked={p.list} onChange={(e) => update({ list: e.target.checked })} />
        <span className="detect-narrow-label" aria-hidden="true">
          List
        </span>
        <label htmlFor={`detect-list-${id}`} className="visually-hidden">
          {row.sourceKey} is a list
        </label>
      </td>
      <td>
        <input id={`detect-optional-${id}`} type="checkbox" checked={p.optional} onChange={(e) => update({ optional: e.target.checked })} />
        <span className="detect-narrow-label" aria-hidden="true">
          Optional
        </span>
        <label htmlFor={`detect-optional-${id}`} className="visually-hidden">
          {row.sourceKey} is optional
        </label>
      </td>
      <td className="detect-example">
        <code title={row.example}>{row.example}</code>
        {p.fromQuery && <div className="muted small">from the query string</div>}
        {row.notes.map((note, i) => (
          <div key={i} className="detect-note small">
            {note}
          </div>
        ))}
      </td>
    </tr>
  );
}
