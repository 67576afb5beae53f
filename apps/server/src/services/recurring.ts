import { type RecurrenceSpec, describeRecurrence, nextFireTimes, parseDefinition } from '@switchyard/workflow';
import { z } from 'zod';
import type { Db, RecurringEventKind as StoredEventKind } from '../db/index.ts';
import { Environment } from './runs.ts';
import { fromRow } from './workflows.ts';

/** What a recurring job's history records. */
export const RecurringEventKind = z.enum(['enabled', 'disabled', 'missed_once', 'missed_skipped', 'rescheduled'] as const satisfies readonly StoredEventKind[]);

/** How many upcoming fire times the page shows, and how much history. */
const NEXT_FIRES = 5;
const HISTORY = 10;

/**
 * Every recurring job, for the Recurring jobs page: each workflow whose saved draft, or whose
 * version in the latest release, has a Recurring event, with per environment its switch, its
 * schedule in words, its next fire times, its last run and its recent history.
 */
export async function listRecurringJobs(db: Db, instanceZone: string, now: Date) {
  const jobs = await db.recurringJob.findMany();
  const state = new Map(jobs.map((j) => [`${j.workflowId}:${j.environment}`, j]));
  const switchedOnIds = jobs.filter((j) => j.enabled).map((j) => j.workflowId);
  // Only graphs and definitions that can be recurring are parsed: this page is polled.
  const workflows = (
    await db.workflow.findMany({
      where: { OR: [{ graph: { contains: '"recurringEvent"' } }, { id: { in: switchedOnIds } }] },
      orderBy: { name: 'asc' },
    })
  ).map(fromRow);
  const release = await db.release.findFirst({
    orderBy: { number: 'desc' },
    include: { workflows: { where: { definition: { contains: '"recurring"' } } } },
  });
  const liveSpecs = new Map<string, RecurrenceSpec>();
  for (const entry of release?.workflows ?? []) {
    const definition = parseDefinition(JSON.parse(entry.definition));
    if (definition.trigger.type === 'recurring') liveSpecs.set(entry.workflowId, definition.trigger.schedule);
  }
  // Live-only jobs (the draft is no longer recurring) are listed too.
  const known = new Set(workflows.map((w) => w.id));
  const liveOnly = [...liveSpecs.keys()].filter((id) => !known.has(id));
  if (liveOnly.length > 0) {
    workflows.push(...(await db.workflow.findMany({ where: { id: { in: liveOnly } } })).map(fromRow));
    workflows.sort((a, b) => a.name.localeCompare(b.name));
  }

  const rows = [];
  for (const workflow of workflows) {
    const event = workflow.graph.nodes.find((n) => n.type === 'recurringEvent');
    const draftSpec = event?.type === 'recurringEvent' ? event.data.schedule : null;
    const liveSpec = liveSpecs.get(workflow.id) ?? null;
    // A job left switched on stays listed (so it can be switched off) after its workflow stopped being recurring.
    const switchedOn = Environment.options.some((env) => state.get(`${workflow.id}:${env}`)?.enabled);
    if (!draftSpec && !liveSpec && !switchedOn) continue;
    const environments = [];
    for (const environment of Environment.options) {
      const spec = environment === 'draft' ? draftSpec : liveSpec;
      const job = state.get(`${workflow.id}:${environment}`);
      const [lastRun, history] = await Promise.all([
        // The latest run that started: a fire time's run is made a moment ahead, still pending.
        db.run.findFirst({
          where: { workflowId: workflow.id, environment, trigger: 'recurring', status: { not: 'queued' } },
          orderBy: { id: 'desc' },
          select: { id: true, status: true, runAt: true },
        }),
        db.recurringEvent.findMany({
          where: { workflowId: workflow.id, environment },
          orderBy: { id: 'desc' },
          take: HISTORY,
          select: { at: true, kind: true, message: true, runId: true },
        }),
      ]);
      environments.push({
        environment,
        /** Live: not in the latest release (deploy it); draft: the saved draft is not recurring. */
        available: spec !== null,
        schedule: spec ? describeSafely(spec, instanceZone) : null,
        enabled: job?.enabled ?? false,
        changedAt: job?.changedAt ?? null,
        changedBy: job?.changedBy ?? null,
        nextFires: spec ? nextSafely(spec, instanceZone, now) : [],
        lastRun,
        history: history.map((h) => ({ ...h, kind: RecurringEventKind.parse(h.kind) })),
      });
    }
    rows.push({ workflowId: workflow.id, name: workflow.name, label: workflow.label, environments });
  }
  return { timeZone: instanceZone, jobs: rows };
}

function describeSafely(spec: RecurrenceSpec, zone: string): string {
  try {
    return describeRecurrence(spec, zone);
  } catch {
    return 'An invalid schedule (open the workflow to fix it)';
  }
}

function nextSafely(spec: RecurrenceSpec, zone: string, now: Date): Date[] {
  try {
    return nextFireTimes(spec, zone, now, NEXT_FIRES);
  } catch {
    return [];
  }
}
