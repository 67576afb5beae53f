import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ActionModule, NonRetriableError } from './actions/module.ts';
import { actionModule } from './actions/registry.ts';
import type { ParameterSpec, Step, WorkflowDefinition } from './definition.ts';
import { type Template, Template as TemplateSchema, parseExpression, parseTemplate } from './expression.ts';
import { CONDITION_NOT_MET, type CompletedStep, type Outcome, type StepRecord, formatBytes, interpret, revive } from './interpret.ts';
import { LIMITS } from './limits.ts';
import { DEFAULT_SETTINGS } from './settings.ts';
import { NOW, TestSignal, deferred, fakeServices, values } from './test-support.ts';
import { T } from './types.ts';

// ---------------------------------------------------------------------------------------------
// Definitions are written directly (stored text, ids), so these tests need no compiler.

const amount: ParameterSpec = { id: 'p_amount', key: 'amount', type: 'number', list: false, optional: false };

function definition(steps: Step[], extra: { parameters?: ParameterSpec[]; onlyWhen?: string } = {}): WorkflowDefinition {
  return {
    schemaVersion: 2,
    name: 'test',
    trigger: { type: 'api', parameters: extra.parameters ?? [amount], ...(extra.onlyWhen && { onlyWhen: parseExpression(extra.onlyWhen) }) },
    settings: DEFAULT_SETTINGS,
    steps,
  };
}
const logStep = (id: string, message: string, onlyWhen?: string, label = 'Log a value'): Step => ({
  id,
  type: 'log',
  label,
  ...(onlyWhen && { onlyWhen: parseExpression(onlyWhen) }),
  config: { message: parseTemplate(message) },
});
const returnStep = (id: string, entries: Record<string, string>, onlyWhen?: string): Step => ({
  id,
  type: 'returnData',
  label: 'Return data from API',
  ...(onlyWhen && { onlyWhen: parseExpression(onlyWhen) }),
  config: { entries: Object.entries(entries).map(([key, value]) => ({ key, value: parseTemplate(value) })) },
});

// ---------------------------------------------------------------------------------------------
// A test-only action: counts its executions per step path (from its idempotency key), can act
// outside the run, can fail, can wait, and returns a value and the time it ran (a date).

interface ProbeStep {
  value: Template;
  /** Throw this (once per step path, or always). */
  fail?: { kind: 'plain' | 'nonRetriable' | 'internal'; message: string; times?: 'once' | 'always' };
}

function probe(options: { effect?: boolean; recordBytes?: number; gate?: Promise<void>; started?: () => void; crashOn?: (execution: number) => boolean } = {}) {
  const executions = new Map<string, number>();
  const log: string[] = [];
  let total = 0;
  const module: ActionModule<{ type: 'probe' }, ProbeStep> = {
    type: 'probe',
    label: 'Probe',
    description: 'Test action',
    icon: 'log',
    terminal: false,
    effect: options.effect ?? false,
    config: z.object({ type: z.literal('probe') }),
    create: () => ({ type: 'probe' }),
    summary: () => ({ text: 'probe', empty: false }),
    compile: () => null,
    compiled: z.object({ value: TemplateSchema, fail: z.any().optional() }) as unknown as z.ZodType<ProbeStep>,
    resultType: () => T.object({ value: T.any, at: T.date }),
    ...(options.recordBytes !== undefined && { limits: { recordBytes: options.recordBytes } }),
    async execute(step, ctx) {
      const path = ctx.idempotencyKey.slice(ctx.idempotencyKey.indexOf(':') + 1);
      const count = (executions.get(path) ?? 0) + 1;
      executions.set(path, count);
      total++;
      log.push(`execute ${ctx.idempotencyKey}`);
      options.started?.();
      if (options.gate) await options.gate;
      if (options.crashOn?.(total)) throw new Error('the process died');
      if (step.fail && (step.fail.times === 'always' || count === 1)) {
        if (step.fail.kind === 'nonRetriable') throw new NonRetriableError(step.fail.message);
        if (step.fail.kind === 'internal') throw new TypeError(step.fail.message);
        throw new Error(step.fail.message);
      }
      const value = ctx.render('Value', step.value);
      ctx.log(`value ${JSON.stringify(value)}`);
      return { input: { value: JSON.stringify(value) }, output: { value, at: ctx.services.now() } };
    },
  };
  const modules = (type: string) => (type === 'probe' ? (module as unknown as ActionModule) : actionModule(type));
  return { module, modules, executions, log };
}

const probeStep = (id: string, value: string, extra: { onlyWhen?: string; fail?: ProbeStep['fail']; label?: string } = {}): Step => ({
  id,
  type: 'probe',
  label: extra.label ?? 'Probe',
  ...(extra.onlyWhen && { onlyWhen: parseExpression(extra.onlyWhen) }),
  config: { value: parseTemplate(value), ...(extra.fail && { fail: extra.fail }) },
});

const run = (def: WorkflowDefinition, params: Record<string, unknown>, extra: Partial<Parameters<typeof interpret>[0]> = {}) =>
  interpret({ definition: def, params: values(params as never), services: fakeServices(), runId: 'run_1', ...extra });

const summary = (outcome: Outcome) => outcome.records.map((r) => [r.path, r.status, r.output ?? r.error]);

// ---------------------------------------------------------------------------------------------

describe('interpret', () => {
  it('runs the steps in order, gives later steps the results of earlier ones, and records each', async () => {
    const seen: StepRecord[] = [];
    const outcome = await run(
      definition([logStep('n_log', 'Charging {{$p_amount * 2}}'), returnStep('n_ret', { said: '{{$n_log.message}}', n: '{{$p_amount}}' })]),
      { p_amount: 21 },
      { onStep: (r) => seen.push(r) },
    );
    expect(outcome).toEqual({
      status: 'succeeded',
      response: '{"said":"Charging 42","n":21}',
      records: [
        { path: 'n_log', stepId: 'n_log', type: 'log', label: 'Log a value', status: 'succeeded', startedAt: NOW, durationMs: 1, input: '{"message":"Charging 42"}', output: '{"message":"Charging 42"}', error: null, logs: ['Charging 42'], timedOut: false },
        { path: 'n_ret', stepId: 'n_ret', type: 'returnData', label: 'Return data from API', status: 'succeeded', startedAt: NOW, durationMs: 1, input: null, output: '{"said":"Charging 42","n":21}', error: null, logs: [], timedOut: false },
      ],
    });
    expect(seen).toEqual(outcome.records);
  });

  it('skips a step whose "Only when" is false; its result is empty for the steps after it', async () => {
    const outcome = await run(
      definition([logStep('n_log', 'big', '$p_amount > 100'), returnStep('n_ret', { said: '{{$n_log.message}}', skipped: '{{$n_log == null}}' })]),
      { p_amount: 5 },
    );
    expect(summary(outcome)).toEqual([
      ['n_log', 'skipped', null],
      ['n_ret', 'succeeded', '{"said":null,"skipped":true}'],
    ]);
    expect(outcome.records[0]!.input).toBe('{"onlyWhen":false}');
  });

  it('ends the run at a step that ends it: nothing after "Return data" runs', async () => {
    const outcome = await run(definition([returnStep('n_ret', { a: '1' }), logStep('n_after', 'never')]), { p_amount: 1 });
    expect(summary(outcome)).toEqual([['n_ret', 'succeeded', '{"a":"1"}']]);
    expect(outcome.status === 'succeeded' && outcome.response).toBe('{"a":"1"}');
  });

  it('answers no response when no "Return data" ran', async () => {
    const outcome = await run(definition([logStep('n_log', 'x'), returnStep('n_ret', { a: '1' }, '$p_amount > 1')]), { p_amount: 1 });
    expect(outcome).toMatchObject({ status: 'succeeded', response: null });
  });

  it('skips the whole run when the event\'s "Only when" is false', async () => {
    const def = definition([logStep('n_log', 'x')], { onlyWhen: '$p_amount > 10' });
    expect(await run(def, { p_amount: 5 })).toEqual({ status: 'skipped', reason: CONDITION_NOT_MET, records: [] });
    expect((await run(def, { p_amount: 50 })).status).toBe('succeeded');
    expect(CONDITION_NOT_MET).toBe('The workflow\'s "Only when" condition was not met');
  });

  it('fails the run, not retriably, when the event\'s "Only when" cannot be evaluated', async () => {
    const outcome = await run(definition([logStep('n_log', 'x')], { onlyWhen: '1 / $p_amount > 1' }), { p_amount: 0 });
    expect(outcome).toEqual({ status: 'failed', error: '"Only when" of the workflow: Division by zero', retriable: false, timedOut: false, failedPath: '', records: [] });
  });

  it('stops at a failing step with "Step N "label" failed: <field>: <message>", not retriable', async () => {
    const outcome = await run(
      definition([logStep('n_1', 'fine'), logStep('n_2', 'Per item: {{100 / $p_amount}}', undefined, 'Split'), logStep('n_3', 'never')]),
      { p_amount: 0 },
    );
    expect(outcome).toMatchObject({ status: 'failed', error: 'Step 2 "Split" failed: Message: Division by zero', retriable: false, timedOut: false, failedPath: 'n_2' });
    expect(summary(outcome)).toEqual([
      ['n_1', 'succeeded', '{"message":"fine"}'],
      ['n_2', 'failed', 'Message: Division by zero'],
    ]);
  });

  it('names the field that failed: a value of "Return data", an "Only when"', async () => {
    const ret = await run(definition([returnStep('n_ret', { ok: '1', ratio: '{{1 % $p_amount}}' })]), { p_amount: 0 });
    expect(ret.status === 'failed' && ret.error).toBe('Step 1 "Return data from API" failed: Value of "ratio": Division by zero');
    const cond = await run(definition([logStep('n_1', 'x', '1 / $p_amount > 0')]), { p_amount: 0 });
    expect(cond.status === 'failed' && cond.error).toBe('Step 1 "Log a value" failed: Only when: Division by zero');
  });

  it('fails a step whose action this version does not know', async () => {
    const outcome = await run(definition([{ id: 'n_x', type: 'teleport', label: 'Teleport', config: {} }]), { p_amount: 1 });
    expect(outcome).toMatchObject({ status: 'failed', error: 'Step 1 "Teleport" failed: This version does not know the action "teleport"', retriable: false });
  });

  it('retries what the outside world refused, not builder mistakes, and hides engine errors', async () => {
    const { modules } = probe();
    const failing = (kind: 'plain' | 'nonRetriable' | 'internal', message: string) =>
      run(definition([probeStep('n_p', '1', { fail: { kind, message, times: 'always' } })]), { p_amount: 1 }, { modules });
    expect(await failing('plain', 'connect ECONNREFUSED')).toMatchObject({ error: 'Step 1 "Probe" failed: connect ECONNREFUSED', retriable: true });
    expect(await failing('nonRetriable', 'The address is not allowed')).toMatchObject({ error: 'Step 1 "Probe" failed: The address is not allowed', retriable: false });
    const services = fakeServices();
    const internal = await interpret({
      definition: definition([probeStep('n_p', '1', { fail: { kind: 'internal', message: "Cannot read properties of undefined (reading 'x')", times: 'always' } })]),
      params: values({ p_amount: 1 }),
      services,
      runId: 'run_1',
      modules,
    });
    expect(internal).toMatchObject({ error: 'Step 1 "Probe" failed: Internal error in this step (the details are in the server log)', retriable: false });
    expect(services.logged).toMatchObject([{ level: 'error', message: 'step failed with an internal error', details: { err: { name: 'TypeError' } } }]);
  });

  it('caps what a step records: a value over LIMITS.recordBytes is a clear step error', async () => {
    const big = 'x'.repeat(LIMITS.recordBytes / 2 + 10);
    const def = definition([returnStep('n_ret', { a: '{{$p_big}}', b: '{{$p_big}}' })], { parameters: [{ ...amount, id: 'p_big', key: 'big', type: 'text' }] });
    const outcome = await run(def, { p_big: big });
    expect(outcome).toMatchObject({ status: 'failed', error: 'Step 1 "Return data from API" failed: Output is too large: 1.0 MiB, and the limit is 1.0 MiB', retriable: false });
    expect(outcome.records[0]!.output).toBeNull();
    // Just under the cap is fine; multi-byte characters count as the bytes they take.
    const fits = await run(def, { p_big: 'x'.repeat(LIMITS.recordBytes / 2 - 20) });
    expect(fits.status).toBe('succeeded');
    const wide = await run(def, { p_big: 'é'.repeat(LIMITS.recordBytes / 4 + 10) });
    expect(wide.status === 'failed' && wide.error).toMatch(/Output is too large/);
  });

  it('uses the cap an action module declares for its own records', async () => {
    const { modules } = probe({ recordBytes: 40 });
    const outcome = await run(definition([probeStep('n_p', '{{"a long enough value to pass forty bytes"}}')]), { p_amount: 1 }, { modules });
    expect(outcome.status === 'failed' && outcome.error).toBe('Step 1 "Probe" failed: Input is too large: 55 bytes, and the limit is 40 bytes');
    expect([formatBytes(10), formatBytes(2048), formatBytes(3 * 1024 * 1024)]).toEqual(['10 bytes', '2.0 KiB', '3.0 MiB']);
  });

  it('times out: an aborted signal fails the step in flight and nothing after it runs', async () => {
    const gate = deferred();
    const started = deferred();
    const { modules, executions } = probe({ gate: gate.promise, started: started.resolve });
    const signal = new TestSignal();
    const running = run(definition([probeStep('n_slow', '1'), probeStep('n_next', '2')]), { p_amount: 1 }, { modules, signal });
    await started.promise;
    signal.abort();
    const outcome = await running;
    expect(outcome).toMatchObject({ status: 'failed', error: 'Step 1 "Probe" failed: Timed out: the run took longer than its time limit', retriable: false, timedOut: true, failedPath: 'n_slow' });
    expect(outcome.records.map((r) => [r.path, r.status, r.timedOut])).toEqual([['n_slow', 'failed', true]]);
    expect([...executions.keys()]).toEqual(['n_slow']);
    gate.resolve();
  });

  it('times out before a step starts when the signal is already aborted', async () => {
    const signal = new TestSignal();
    const outcome = await run(definition([logStep('n_1', 'x'), logStep('n_2', 'y')]), { p_amount: 1 }, { signal, onStep: () => signal.abort() });
    expect(outcome).toMatchObject({ status: 'failed', error: 'Step 2 "Log a value" failed: Timed out before this step started', timedOut: true, failedPath: 'n_2' });
  });

  it('lets go of the signal after each step', async () => {
    const signal = new TestSignal();
    const { modules } = probe();
    await run(definition([probeStep('n_1', '1'), probeStep('n_2', '2')]), { p_amount: 1 }, { signal, modules });
    expect(signal.listenerCount).toBe(0);
  });

  it('waits for beforeEffect before a step that acts outside the run, and gives it an idempotency key', async () => {
    const { modules, log } = probe({ effect: true });
    const outcome = await run(definition([logStep('n_log', 'pure'), probeStep('n_effect', '1')]), { p_amount: 1 }, {
      modules,
      runId: 'run_9',
      beforeEffect: async (step) => {
        await Promise.resolve();
        log.push(`durable before ${step.id}`);
      },
    });
    expect(outcome.status).toBe('succeeded');
    expect(log).toEqual(['durable before n_effect', 'execute run_9:n_effect']);
  });

  it('fails, retriably, when the run cannot be made durable before an effect', async () => {
    const { modules, executions } = probe({ effect: true });
    const outcome = await run(definition([probeStep('n_effect', '1')]), { p_amount: 1 }, {
      modules,
      beforeEffect: () => Promise.reject(new Error('database is locked')),
    });
    expect(outcome).toMatchObject({ status: 'failed', error: 'Step 1 "Probe" failed: database is locked', retriable: true });
    expect(executions.size).toBe(0);
  });
});

describe('resume', () => {
  const steps = () => [
    probeStep('n_1', '{{$p_amount}}'),
    logStep('n_2', 'first ran at {{$n_1.at}}', '$n_1.at <= now'),
    probeStep('n_3', '{{$n_1.value}}', { onlyWhen: '$p_amount > 100' }),
    probeStep('n_4', 'after'),
    returnStep('n_ret', { first: '{{$n_1.value}}', skipped: '{{$n_3 == null}}', early: '{{$n_1.at < now}}' }),
  ];
  const completedFrom = (records: StepRecord[]): Map<string, CompletedStep> =>
    new Map(
      records
        .filter((r) => r.status !== 'failed')
        .map((r) => [r.path, { status: r.status as CompletedStep['status'], output: r.output === null ? null : (JSON.parse(r.output) as never) }]),
    );

  it('does not execute the steps given as completed, and reads their results back with their types', async () => {
    const { modules, executions } = probe({ crashOn: (n) => n === 2 });
    const first = await run(definition(steps()), { p_amount: 7 }, { modules });
    expect(first).toMatchObject({ status: 'failed', retriable: true, failedPath: 'n_4' });
    expect([...executions]).toEqual([
      ['n_1', 1],
      ['n_4', 1],
    ]);
    const later = new Date(NOW.getTime() + 60_000);
    const second = await interpret({ definition: definition(steps()), params: values({ p_amount: 7 }), services: fakeServices(later), runId: 'run_1', modules, completed: completedFrom(first.records) });
    expect([...executions]).toEqual([
      ['n_1', 1],
      ['n_4', 2],
    ]);
    expect(second.records.map((r) => r.path)).toEqual(['n_4', 'n_ret']);
    // `early` compares the first attempt's date (revived from JSON) with the second attempt's clock.
    expect(second.status === 'succeeded' && JSON.parse(second.response!)).toEqual({ first: 7, skipped: true, early: true });
  });

  it('does not evaluate the event\'s "Only when" again in a later attempt', async () => {
    const def = definition([logStep('n_1', 'a'), logStep('n_2', 'b')], { onlyWhen: 'now < $p_deadline' });
    def.trigger.parameters = [{ id: 'p_deadline', key: 'deadline', type: 'date', list: false, optional: false }];
    const outcome = await run(def, { p_deadline: new Date(NOW.getTime() - 1) }, { resumed: true, completed: new Map([['n_1', { status: 'succeeded', output: { message: 'a' } }]]) });
    expect(summary(outcome)).toEqual([['n_2', 'succeeded', '{"message":"b"}']]);
    // Even when the first attempt finished no step (it failed on the first one and is retried).
    const retried = await run(def, { p_deadline: new Date(NOW.getTime() - 1) }, { resumed: true });
    expect(retried.status).toBe('succeeded');
    // The first attempt is asked.
    expect((await run(def, { p_deadline: new Date(NOW.getTime() - 1) })).status).toBe('skipped');
  });

  it('ends at a completed step that ended the run, answering with its recorded response', async () => {
    const def = definition([logStep('n_1', 'a'), returnStep('n_ret', { a: '{{$p_amount}}' }), logStep('n_after', 'never')]);
    const full = await run(def, { p_amount: 3 });
    const resumed = await run(def, { p_amount: 3 }, { completed: completedFrom(full.records) });
    expect(resumed).toEqual({ status: 'succeeded', response: '{"a":3}', records: [] });
  });

  it('revives dates in typed results, and leaves other values as they are', () => {
    const type = T.object({ at: T.date, list: T.list(T.date), other: T.any });
    expect(revive({ at: '2026-01-01T00:00:00.000Z', list: ['2026-01-02T00:00:00.000Z', null], other: '2026-01-01T00:00:00.000Z' }, type)).toEqual({
      at: new Date('2026-01-01T00:00:00.000Z'),
      list: [new Date('2026-01-02T00:00:00.000Z'), null],
      other: '2026-01-01T00:00:00.000Z',
    });
    expect(revive('not a date', T.date)).toBe('not a date');
    expect(revive(null, T.date)).toBeNull();
  });

  /**
   * Property: stop a run after any number of steps (a crash inside a step, or a timeout between
   * steps), resume from the records of the steps that finished, and the outcome is the outcome of
   * an uninterrupted run; every finished step executed exactly once (the step in flight at a crash
   * runs again: at least once).
   */
  it('interpreting any prefix and resuming from its records gives the same outcome, executing finished steps once (property)', async () => {
    type Spec = { kind: 'probe' | 'log' | 'return'; onlyWhen: number; value: number };
    const stepArb = fc.record({ kind: fc.constantFrom('probe', 'probe', 'log', 'return'), onlyWhen: fc.integer({ min: 0, max: 3 }), value: fc.integer({ min: 0, max: 2 }) }) as fc.Arbitrary<Spec>;
    const build = (specs: Spec[]): WorkflowDefinition =>
      definition(
        specs.map((spec, i) => {
          const id = `n_${i}`;
          const earlierProbe = specs.slice(0, i).map((s, j) => (s.kind === 'probe' ? `n_${j}` : null)).filter((x): x is string => x !== null).at(-1);
          const onlyWhen = [undefined, '$p_amount > 2', earlierProbe ? `$${earlierProbe}.at <= now` : undefined, earlierProbe ? `$${earlierProbe}.value == 1` : '$p_amount == 1'][spec.onlyWhen];
          const value = ['{{$p_amount}}', earlierProbe ? `{{$${earlierProbe}.value}}` : 'x', '{{10 / ($p_amount - 3)}}'][spec.value]!;
          if (spec.kind === 'probe') return probeStep(id, value, { onlyWhen });
          if (spec.kind === 'log') return logStep(id, `saw ${value}`, onlyWhen);
          return returnStep(id, { v: value, at: earlierProbe ? `{{$${earlierProbe}.at}}` : 'none' }, onlyWhen);
        }),
        { onlyWhen: '$p_amount != 4' },
      );

    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 7 }),
        fc.constantFrom('crash' as const, 'timeout' as const),
        async (specs, amountValue, stopAfter, how) => {
          const def = build(specs);
          const params = { p_amount: amountValue };
          const reference = await run(def, params, { modules: probe().modules });

          // The process "dies" inside a step of the first attempt only.
          let firstAttempt = true;
          const counted = probe({ crashOn: (n) => firstAttempt && how === 'crash' && n === stopAfter + 1 });
          const signal = new TestSignal();
          let ended = 0;
          const first = await run(def, params, {
            modules: counted.modules,
            signal,
            onStep: () => {
              if (how === 'timeout' && ++ended >= stopAfter) signal.abort();
            },
          });
          const finished = first.records.filter((r) => r.status !== 'failed');
          firstAttempt = false;
          const second = await run(def, params, { modules: counted.modules, completed: completedFrom(first.records) });

          // Same outcome as the uninterrupted run.
          const { records: _r1, ...expected } = reference;
          const { records: _r2, ...actual } = second;
          expect(actual).toEqual(expected);
          const combined = [...finished, ...second.records];
          expect(combined.map((r) => [r.path, r.status, r.output, r.error])).toEqual(reference.records.map((r) => [r.path, r.status, r.output, r.error]));
          // Each finished step executed exactly once; the one a crash interrupted, once more. Steps
          // that never finished (skipped, or after the end) were not executed at all.
          const crashed = first.status === 'failed' && first.error.endsWith('the process died') ? first.failedPath : null;
          for (const record of combined) {
            if (record.type !== 'probe') continue;
            const count = counted.executions.get(record.path) ?? 0;
            if (record.status === 'succeeded') expect(count, record.path).toBe(record.path === crashed ? 2 : 1);
            if (record.status === 'skipped') expect(count, record.path).toBe(0);
          }
          const recorded = new Set(combined.map((r) => r.path));
          for (const path of counted.executions.keys()) expect(recorded.has(path), path).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });
});
