import {
  type Diagnostic,
  RECURRENCE_LIMITS,
  type RecurrenceProblem,
  type RecurrenceSpec,
  type RecurrenceUnit,
  type RecurringEventNode,
  isValidTimeZone,
} from '@switchyard/workflow';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useEditor, useEditorState } from './context.ts';
import { RunSettings, timeZoneGroups } from './EventForm.tsx';
import { ExpressionField, FieldDiagnostics, Section, useNodeDiagnostics } from './fields.tsx';
import {
  CRON_EXAMPLES,
  DEFAULT_CRON,
  PREVIEW_COUNT,
  type SchedulePreview,
  UNIT_OPTIONS,
  browserTimeZone,
  formatAlongside,
  formatInZone,
  hasSeconds,
  localInputOf,
  schedulePreview,
} from './schedule.ts';
import { TestResultSection } from './TestResultSection.tsx';

type ScheduleField = RecurrenceProblem['field'];

/** The field of the form each schedule problem is about, in words ("No preview until the … is fixed"). */
const FIELD_WORDS: Record<ScheduleField, string> = {
  cron: 'cron expression',
  every: 'interval',
  startAt: 'start',
  timeZone: 'time zone',
};

/** The current time, renewed every half minute: the preview's "next" fire times stay next. */
function useNow(everyMs = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/**
 * A Recurring event's side panel: the schedule (a cron expression, or every N units; a start; a
 * time zone; what to do about missed fire times) with a live preview (in words, and the next five
 * fire times in the schedule's zone and the browser's), where admins switch the job on, its "Only
 * when" condition and its run settings. Every change is undoable; typing in one field is one step.
 */
export function RecurringEventForm({ node, readOnly }: { node: RecurringEventNode; readOnly: boolean }) {
  const editor = useEditor();
  const diagnostics = useNodeDiagnostics(node.id);
  const instanceZone = useEditorState((s) => s.instanceTimeZone);
  const { schedule } = node.data;
  const now = useNow();
  // Fast (a millisecond or two): recomputed on each keystroke, no debounce.
  const preview = useMemo(() => schedulePreview(schedule, instanceZone ?? 'UTC', now), [schedule, instanceZone, now]);
  const base = `schedule-${node.id}`;

  return (
    <>
      <div className="inspector-header">
        <div className="inspector-kind">Recurring</div>
        <h2>Event</h2>
        <p className="muted small">Runs on a schedule. A recurring run has no caller and no parameters.</p>
      </div>
      <FieldDiagnostics diagnostics={diagnostics} field={null} />
      <div className="event-recurring-note" role="note" aria-label="Recurring jobs">
        <p>
          Runs only while an admin has switched its job on in <Link to="/recurring">Recurring jobs</Link>, separately for draft and live.
          The draft job runs the saved draft; the live job runs the deployed release, so live needs a Deploy first.
        </p>
        <p>To try it now, use Run draft in the Test tab.</p>
      </div>
      <TestResultSection nodeId={node.id} />
      <Section title="Schedule">
        <fieldset className="radio-group schedule-kind" disabled={readOnly}>
          <legend className="field-label">Repeat</legend>
          <div className="kind-segmented">
            <label className={`kind-segment ${schedule.kind === 'cron' ? 'is-on' : ''}`}>
              <input type="radio" name={`${base}-kind`} checked={schedule.kind === 'cron'} onChange={() => editor.setScheduleKind('cron')} />
              <span>Cron</span>
            </label>
            <label className={`kind-segment ${schedule.kind === 'every' ? 'is-on' : ''}`}>
              <input type="radio" name={`${base}-kind`} checked={schedule.kind === 'every'} onChange={() => editor.setScheduleKind('every')} />
              <span>Every</span>
            </label>
          </div>
        </fieldset>
        {schedule.kind === 'cron' ? (
          <CronField id={`${base}-cron`} cron={schedule.cron} preview={preview} diagnostics={diagnostics} readOnly={readOnly} />
        ) : (
          <EveryField
            id={`${base}-every`}
            every={schedule.every}
            unit={schedule.unit}
            preview={preview}
            diagnostics={diagnostics}
            readOnly={readOnly}
          />
        )}
        <PreviewView preview={preview} schedule={schedule} instanceZone={instanceZone} now={now} />
        <StartField id={`${base}-start`} startAt={schedule.startAt} zone={preview.zone} kind={schedule.kind} preview={preview} diagnostics={diagnostics} readOnly={readOnly} />
        <ScheduleZoneField id={`${base}-zone`} value={schedule.timeZone} instanceZone={instanceZone} preview={preview} diagnostics={diagnostics} readOnly={readOnly} />
        <fieldset className="radio-group" disabled={readOnly}>
          <legend className="field-label">Missed fire times</legend>
          <label className="radio">
            <input type="radio" name={`${base}-missed`} checked={schedule.missed === 'once'} onChange={() => editor.setMissed('once')} />
            <span>
              Run once for all missed
              <span className="radio-hint">After the server was down or the environment paused, one run stands for all of them.</span>
            </span>
          </label>
          <label className="radio">
            <input type="radio" name={`${base}-missed`} checked={schedule.missed === 'skip'} onChange={() => editor.setMissed('skip')} />
            <span>
              Skip
              <span className="radio-hint">They do not run; the job&rsquo;s history lists them.</span>
            </span>
          </label>
        </fieldset>
      </Section>
      <Section title="Condition">
        <ExpressionField
          id={`only-when-${node.id}`}
          nodeId={node.id}
          label="Only when"
          kind="expression"
          stored={node.data.onlyWhen ?? ''}
          onChange={(stored) => editor.setOnlyWhen(node.id, stored)}
          field="onlyWhen"
          diagnostics={diagnostics}
          placeholder="e.g. now > addDays(now, -1)"
          hint="Checked at each fire time: when false, that run is recorded as skipped. Empty: always runs."
          readOnly={readOnly}
        />
      </Section>
      <RunSettings node={node} diagnostics={diagnostics} readOnly={readOnly} timeZoneLabel="Time zone for dates" />
    </>
  );
}

/**
 * What is wrong with one field: the preview's own check (validateRecurrence, as typed), then the
 * compiler's diagnostics at `schedule.<field>` (the server's after a save) that say something else.
 */
function ScheduleMessages({ id, field, preview, diagnostics }: { id: string; field: ScheduleField; preview: SchedulePreview; diagnostics: Diagnostic[] }) {
  const local = !preview.ok && preview.field === field ? preview.message : null;
  const others = diagnostics.filter((d) => d.field === `schedule.${field}` && d.message !== local);
  return (
    <div id={id} className="schedule-messages" aria-live="polite">
      {local && <div className="field-error schedule-error">{local}</div>}
      {others.length > 0 && <FieldDiagnostics diagnostics={others} field={`schedule.${field}`} />}
    </div>
  );
}

function fieldInvalid(field: ScheduleField, preview: SchedulePreview, diagnostics: Diagnostic[]): boolean {
  return (!preview.ok && preview.field === field) || diagnostics.some((d) => d.field === `schedule.${field}` && d.severity === 'error');
}

function CronField({ id, cron, preview, diagnostics, readOnly }: { id: string; cron: string; preview: SchedulePreview; diagnostics: Diagnostic[]; readOnly: boolean }) {
  const editor = useEditor();
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        Cron expression
      </label>
      <input
        id={id}
        className="mono cron-input"
        value={cron}
        placeholder={DEFAULT_CRON}
        maxLength={RECURRENCE_LIMITS.cronChars}
        spellCheck={false}
        autoComplete="off"
        autoCapitalize="off"
        disabled={readOnly}
        aria-invalid={fieldInvalid('cron', preview, diagnostics) || undefined}
        aria-describedby={`${id}-messages ${id}-hint`}
        onChange={(e) => editor.setCron(e.target.value)}
      />
      <ScheduleMessages id={`${id}-messages`} field="cron" preview={preview} diagnostics={diagnostics} />
      <div className="field-hint cron-hint" id={`${id}-hint`}>
        Six fields, seconds first: <span className="cron-fields">second minute hour day-of-month month day-of-week</span>
      </div>
      {!readOnly && (
        <details className="cron-help">
          <summary>Examples and syntax</summary>
          <ul className="cron-examples" aria-label="Cron examples">
            {CRON_EXAMPLES.map((example) => (
              <li key={example.cron}>
                <button
                  type="button"
                  className="cron-example"
                  title={`Use ${example.cron}`}
                  onClick={() => {
                    editor.endCoalescing();
                    editor.setCron(example.cron);
                    editor.endCoalescing();
                  }}
                >
                  <code>{example.cron}</code>
                  <span>{example.words}</span>
                </button>
              </li>
            ))}
          </ul>
          <p className="field-hint">
            <code>*</code> any, <code>*/15</code> every 15th, <code>1-5</code> a range, <code>MON,FRI</code> a list; months JAN–DEC, days
            SUN–SAT. Five fields (no seconds) run at second 0; <code>@daily</code>, <code>@hourly</code> work too.
          </p>
        </details>
      )}
    </div>
  );
}

/**
 * "Run every N units". What is typed shows as typed; N is stored only when it is a whole number in
 * range (otherwise the field says so and the schedule keeps the last good one).
 */
function EveryField({
  id,
  every,
  unit,
  preview,
  diagnostics,
  readOnly,
}: {
  id: string;
  every: number;
  unit: RecurrenceUnit;
  preview: SchedulePreview;
  diagnostics: Diagnostic[];
  readOnly: boolean;
}) {
  const editor = useEditor();
  const [text, setText] = useState(String(every));
  const [error, setError] = useState<string | null>(null);
  // Undo, redo or another edit changed N: show it (adjusting state while rendering).
  const [shown, setShown] = useState(every);
  if (shown !== every) {
    setShown(every);
    if (Number(text) !== every) setText(String(every));
    setError(null);
  }
  const max = RECURRENCE_LIMITS.every;
  const onText = (next: string) => {
    setText(next);
    const n = Number(next.trim());
    if (next.trim() === '' || !Number.isInteger(n) || n < 1 || n > max) {
      setError(`A whole number from 1 to ${max.toLocaleString('en-US')}`);
    } else {
      setError(null);
      editor.setEvery(n);
    }
  };
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        Run every
      </label>
      <div className="every-row">
        <input
          id={id}
          type="number"
          inputMode="numeric"
          min={1}
          max={max}
          step={1}
          value={text}
          disabled={readOnly}
          aria-invalid={Boolean(error) || fieldInvalid('every', preview, diagnostics) || undefined}
          aria-describedby={`${id}-messages`}
          onChange={(e) => onText(e.target.value)}
          onBlur={() => {
            if (error) {
              setText(String(every));
              setError(null);
            }
          }}
        />
        <label className="visually-hidden" htmlFor={`${id}-unit`}>
          Unit
        </label>
        <select
          id={`${id}-unit`}
          value={unit}
          disabled={readOnly}
          onChange={(e) => editor.setEveryUnit(e.target.value as RecurrenceUnit)}
        >
          {UNIT_OPTIONS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      {error && <div className="field-error">{error}</div>}
      <ScheduleMessages id={`${id}-messages`} field="every" preview={preview} diagnostics={diagnostics} />
      <div className="field-hint">Minutes and hours are elapsed time; days, weeks and months follow the calendar (09:00 stays 09:00).</div>
    </div>
  );
}

/** The next fire times as you type: the schedule in words, then five times in its zone and the browser's. */
function PreviewView({ preview, schedule, instanceZone, now }: { preview: SchedulePreview; schedule: RecurrenceSpec; instanceZone: string | null; now: Date }) {
  const browser = browserTimeZone();
  if (!preview.ok) {
    return (
      <div className="schedule-preview is-empty" role="region" aria-label="Schedule preview">
        <p className="schedule-preview-empty">No preview until the {FIELD_WORDS[preview.field]} is fixed.</p>
      </div>
    );
  }
  const { zone, times } = preview;
  const assumed = schedule.timeZone === null && instanceZone === null;
  const showBrowser = browser !== null && browser !== zone && times.length > 0;
  const seconds = hasSeconds(times);
  const words = preview.words.charAt(0).toUpperCase() + preview.words.slice(1);
  return (
    <div className="schedule-preview" role="region" aria-label="Schedule preview">
      <p className="schedule-words" data-testid="schedule-words">
        {words}
        {assumed && <span className="schedule-assumed"> (instance time zone, assumed UTC)</span>}
      </p>
      {times.length === 0 ? (
        <p className="muted small">It never fires again.</p>
      ) : (
        <table className="schedule-fire-times" aria-label="Next fire times">
          <thead>
            <tr>
              <th scope="col">
                Next {PREVIEW_COUNT} · <span className="fire-zone">{zone}</span>
              </th>
              {showBrowser && (
                <th scope="col">
                  Your time · <span className="fire-zone">{browser}</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {times.map((time) => (
              <tr key={time.getTime()} data-testid="fire-time">
                <td>
                  <time dateTime={time.toISOString()}>{formatInZone(time, zone, now, { seconds })}</time>
                </td>
                {showBrowser && <td className="fire-local">{formatAlongside(time, zone, browser, now, { seconds })}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** An optional start: a date-time input on the schedule zone's clock (a stored value it cannot show stays text). */
function StartField({
  id,
  startAt,
  zone,
  kind,
  preview,
  diagnostics,
  readOnly,
}: {
  id: string;
  startAt: string | null;
  zone: string;
  kind: RecurrenceSpec['kind'];
  preview: SchedulePreview;
  diagnostics: Diagnostic[];
  readOnly: boolean;
}) {
  const editor = useEditor();
  const local = localInputOf(startAt);
  const invalid = fieldInvalid('startAt', preview, diagnostics) || undefined;
  const common = {
    id,
    disabled: readOnly,
    'aria-invalid': invalid,
    'aria-describedby': `${id}-messages ${id}-hint`,
  };
  return (
    <div className="field">
      <div className="field-label-row">
        <label className="field-label" htmlFor={id}>
          Starts <span className="field-label-note">(optional)</span>
        </label>
        {!readOnly && startAt !== null && (
          <button type="button" className="btn btn-ghost btn-xs" onClick={() => editor.setStartAt(null)}>
            Clear<span className="visually-hidden"> the start</span>
          </button>
        )}
      </div>
      {local !== null ? (
        <input {...common} type="datetime-local" step={local.length > 16 ? 1 : 60} value={local} onChange={(e) => editor.setStartAt(e.target.value)} />
      ) : (
        <input
          {...common}
          className="mono"
          value={startAt ?? ''}
          maxLength={40}
          spellCheck={false}
          autoComplete="off"
          placeholder="2026-01-05T09:00"
          onChange={(e) => editor.setStartAt(e.target.value)}
        />
      )}
      <ScheduleMessages id={`${id}-messages`} field="startAt" preview={preview} diagnostics={diagnostics} />
      <div className="field-hint" id={`${id}-hint`}>
        On the clock of the schedule&rsquo;s time zone ({zone}).{' '}
        {kind === 'every'
          ? 'The first run, then one each interval after it. Empty: intervals count from midnight (on a Monday, on the 1st).'
          : 'No run before it. Empty: from now on.'}
      </div>
    </div>
  );
}

/** The schedule's IANA zone, or the instance's (null): fire times follow its clock, daylight saving included. */
function ScheduleZoneField({
  id,
  value,
  instanceZone,
  preview,
  diagnostics,
  readOnly,
}: {
  id: string;
  value: string | null;
  instanceZone: string | null;
  preview: SchedulePreview;
  diagnostics: Diagnostic[];
  readOnly: boolean;
}) {
  const editor = useEditor();
  const groups = timeZoneGroups();
  const listed = value === null || groups.some((g) => g.zones.includes(value));
  const browser = browserTimeZone();
  return (
    <div className="field">
      <div className="field-label-row">
        <label className="field-label" htmlFor={id}>
          Time zone
        </label>
        {!readOnly && browser && value !== browser && (
          <button type="button" className="btn btn-ghost btn-xs" onClick={() => editor.setScheduleTimeZone(browser)}>
            Use {browser}
          </button>
        )}
      </div>
      <select
        id={id}
        value={value ?? ''}
        disabled={readOnly}
        aria-invalid={fieldInvalid('timeZone', preview, diagnostics) || undefined}
        aria-describedby={`${id}-messages ${id}-hint`}
        onChange={(e) => editor.setScheduleTimeZone(e.target.value === '' ? null : e.target.value)}
      >
        <option value="">{instanceZone ? `Instance default (${instanceZone})` : 'Instance default'}</option>
        {!listed && value !== null && <option value={value}>{isValidTimeZone(value) ? value : `${value} (unknown)`}</option>}
        {groups.map((group) => (
          <optgroup key={group.region} label={group.region}>
            {group.zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      <ScheduleMessages id={`${id}-messages`} field="timeZone" preview={preview} diagnostics={diagnostics} />
      <div className="field-hint" id={`${id}-hint`}>
        Fire times follow this zone&rsquo;s clock, daylight saving included. Instance default: the server&rsquo;s{' '}
        <code>TIME_ZONE</code>
        {instanceZone ? '' : ' (UTC unless it says otherwise)'}.
      </div>
    </div>
  );
}
