import { describe, expect, it } from 'vitest';
import {
  type ScheduleFields,
  describeDue,
  describeLateness,
  describeScheduledBy,
  dueTime,
  isCancellable,
  isScheduled,
  lateness,
  pinnedTo,
  schedulerHref,
  shortId,
} from './runSchedule.ts';

const NOW = Date.parse('2026-05-12T12:00:00.000Z');
const DAY = 24 * 3600 * 1000;
const RUN_ID = '0196c3a1-7f00-7000-8000-00000000abcd';
const PARENT_ID = '0196c3a1-7e00-7000-8000-0000ffff1234';
const BATCH_ID = '0196c3a1-7d00-7000-8000-0000ba7c0042';

/** A run called directly over HTTP that succeeded. */
function run(fields: Partial<ScheduleFields> = {}): ScheduleFields {
  return {
    status: 'succeeded',
    trigger: 'api',
    attempts: 1,
    runAt: new Date(NOW - 60_000),
    createdAt: new Date(NOW - 60_000),
    startedAt: new Date(NOW - 59_990),
    scheduledBy: null,
    parentRunId: null,
    chainDepth: 0,
    batchId: null,
    batchIndex: null,
    environment: 'draft',
    releaseNumber: null,
    draftRevision: 4,
    ...fields,
  };
}

/** Scheduled over HTTP a day ahead, not started. */
const pending = (fields: Partial<ScheduleFields> = {}) =>
  run({ status: 'queued', trigger: 'schedule', attempts: 0, scheduledBy: 'api', createdAt: new Date(NOW - 1000), runAt: new Date(NOW + 3 * DAY), startedAt: null, ...fields });

describe('a run called directly', () => {
  it('has no scheduling story', () => {
    const direct = run();
    expect(isScheduled(direct)).toBe(false);
    expect(dueTime(direct)).toBeNull();
    expect(lateness(direct)).toBeNull();
    expect(describeDue(direct, NOW)).toBeNull();
    expect(describeScheduledBy(direct)).toBeNull();
  });

  it('waiting for a runner has no due time of its own either', () => {
    const waiting = run({ status: 'queued', attempts: 0, startedAt: null });
    expect(dueTime(waiting)).toBeNull();
    expect(isCancellable(waiting)).toBe(true);
  });

  it('waiting for a later time (a retry) says when the next attempt is due', () => {
    const retry = run({ status: 'queued', attempts: 1, runAt: new Date(NOW + 8_000) });
    expect(dueTime(retry)).toEqual({ at: new Date(NOW + 8_000), kind: 'retry' });
    expect(describeDue(retry, NOW - 60_000)).toBe('next attempt in 1 minute');
    expect(describeDue(retry, NOW)).toBe('next attempt in a moment');
    expect(describeDue(retry, NOW + 20_000)).toBe('next attempt was due 12 seconds ago, waiting for a runner');
    expect(lateness(retry)).toBeNull();
    expect(isCancellable(retry)).toBe(false);
  });
});

describe('due time and lateness', () => {
  it('a pending run starts later', () => {
    const p = pending();
    expect(isScheduled(p)).toBe(true);
    expect(dueTime(p)).toEqual({ at: new Date(NOW + 3 * DAY), kind: 'due' });
    expect(describeDue(p, NOW)).toBe('pending: starts in 3 days');
    expect(lateness(p)).toBeNull();
    expect(isCancellable(p)).toBe(true);
  });

  it('a queued run past its due time waits for a runner (a paused environment, a full runner)', () => {
    expect(describeDue(pending({ runAt: new Date(NOW - 5 * 60_000) }), NOW)).toBe('due 5 minutes ago, waiting for a runner');
    expect(describeDue(pending({ runAt: new Date(NOW + 3_000) }), NOW)).toBe('pending: starts in a moment');
  });

  it('a run that started says how late, from its due time', () => {
    const started = pending({ status: 'succeeded', attempts: 1, runAt: new Date(NOW - DAY), startedAt: new Date(NOW - DAY + 2) });
    expect(lateness(started)).toBe(2);
    expect(describeLateness(2)).toBe('started 2.0 ms after it was due');
    expect(describeDue(started, NOW)).toBe('yesterday');
    expect(isCancellable(started)).toBe(false);
    const slow = pending({ status: 'running', attempts: 1, runAt: new Date(NOW - 90_000), startedAt: new Date(NOW - 90_000 + 1500) });
    expect(describeLateness(lateness(slow)!)).toBe('started 1.50 s after it was due');
  });

  it('on time and early are said as such', () => {
    expect(describeLateness(0)).toBe('started when it was due');
    expect(describeLateness(-3)).toBe('started 3.0 ms before it was due');
    expect(describeLateness(25)).toBe('started 25 ms after it was due');
  });

  it('a run tried again no longer holds its first due time (runAt moved to the retry)', () => {
    const retried = pending({ status: 'succeeded', attempts: 2, runAt: new Date(NOW - 1000), startedAt: new Date(NOW - 60_000) });
    expect(dueTime(retried)).toBeNull();
    expect(lateness(retried)).toBeNull();
  });

  it('a cancelled run never started', () => {
    const cancelled = pending({ status: 'cancelled' });
    expect(describeDue(cancelled, NOW)).toBe('cancelled before it started');
    expect(isCancellable(cancelled)).toBe(false);
  });

  it('recurring and batch runs are scheduled whoever is recorded', () => {
    expect(isScheduled(run({ trigger: 'recurring' }))).toBe(true);
    expect(isScheduled(run({ trigger: 'batch_item' }))).toBe(true);
    expect(isScheduled(run({ trigger: 'test', scheduledBy: `user:ada@example.com` }))).toBe(true);
    expect(isScheduled(run({ trigger: 'test' }))).toBe(false);
  });
});

describe('scheduled by', () => {
  it('the API, a person, the recurring job', () => {
    expect(describeScheduledBy(pending())).toMatchObject({ kind: 'api', text: 'The API' });
    expect(describeScheduledBy(pending({ scheduledBy: 'user:ada@example.com' }))).toMatchObject({ kind: 'user', text: 'ada@example.com', email: 'ada@example.com' });
    expect(describeScheduledBy(pending({ scheduledBy: 'recurring' }))).toMatchObject({ kind: 'recurring', text: 'The recurring job', href: '/recurring' });
  });

  it('a run: its short id, linked', () => {
    expect(describeScheduledBy(pending({ scheduledBy: `run:${PARENT_ID}`, parentRunId: PARENT_ID, chainDepth: 1 }))).toEqual({
      kind: 'run',
      text: 'run …ffff1234',
      runId: PARENT_ID,
      href: `/runs/${PARENT_ID}`,
      title: `A step of run ${PARENT_ID} scheduled it`,
    });
  });

  it('a batch: which item (counting from 1), linked to the Scheduler of the environment', () => {
    const item = describeScheduledBy(pending({ scheduledBy: `batch:${BATCH_ID}`, batchId: BATCH_ID, batchIndex: 2, environment: 'live' }));
    expect(item).toMatchObject({ kind: 'batch', text: 'item 3 of batch …ba7c0042', item: 3, batchId: BATCH_ID, href: '/scheduler?env=live', linkText: 'batch …ba7c0042' });
    // The run a batch ends with is scheduled by the batch but is none of its items.
    const end = describeScheduledBy(pending({ scheduledBy: `batch:${BATCH_ID}`, batchId: null, batchIndex: null }));
    expect(end).toMatchObject({ kind: 'batch', text: 'the end of batch …ba7c0042', item: null, href: '/scheduler?env=draft' });
    expect(describeScheduledBy(pending({ scheduledBy: `batch:${BATCH_ID}`, batchIndex: 0 }))).toMatchObject({ text: 'item 1 of batch …ba7c0042' });
  });

  it('anything else as it is; nothing when nobody scheduled it', () => {
    expect(describeScheduledBy(pending({ scheduledBy: 'webhook:stripe' }))).toMatchObject({ kind: 'other', text: 'webhook:stripe' });
    expect(describeScheduledBy(pending({ scheduledBy: '' }))).toBeNull();
  });
});

describe('small words', () => {
  it('short ids keep the end of the id, where UUIDv7 ids differ', () => {
    expect(shortId(RUN_ID)).toBe('…0000abcd');
    expect(shortId('abc')).toBe('abc');
  });

  it('pinned to a release (live) or a draft revision (draft)', () => {
    expect(pinnedTo({ environment: 'live', releaseNumber: 3, draftRevision: null })).toBe('release #3');
    expect(pinnedTo({ environment: 'draft', releaseNumber: null, draftRevision: 12 })).toBe('draft revision 12');
    expect(pinnedTo({ environment: 'live', releaseNumber: null, draftRevision: 12 })).toBeNull();
    expect(pinnedTo({ environment: 'draft', releaseNumber: null, draftRevision: null })).toBeNull();
  });

  it('the Scheduler page of an environment', () => {
    expect(schedulerHref('draft')).toBe('/scheduler?env=draft');
  });
});
