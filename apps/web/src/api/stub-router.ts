// TEMPORARY contract stub until apps/server/src/trpc/router.ts exists. Delete when switching.
import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { z } from 'zod';
import type { Diagnostic, WorkflowGraph } from '@switchyard/workflow';

const t = initTRPC.create({ transformer: superjson });
type Role = 'admin' | 'builder' | 'viewer';
type User = { id: string; email: string; role: Role };
const q = <O>() => t.procedure.query((): O => null as never);
const m = <I extends z.ZodType, O>(input: I) => t.procedure.input(input).mutation((): O => null as never);
type RunSummary = { id: string; workflowId: string; workflowName: string; environment: 'draft' | 'live'; releaseNumber: number | null; status: 'running' | 'success' | 'failed' | 'interrupted'; startedAt: Date; durationMs: number | null; error: string | null };

export const appRouter = t.router({
  auth: t.router({
    status: q<{ needsSetup: boolean; user: User | null }>(),
    setup: m<z.ZodObject<{ email: z.ZodString; password: z.ZodString }>, User>(z.object({ email: z.string(), password: z.string() })),
    login: m<z.ZodObject<{ email: z.ZodString; password: z.ZodString }>, User>(z.object({ email: z.string(), password: z.string() })),
    logout: t.procedure.mutation((): void => undefined),
  }),
  workflow: t.router({
    list: q<{ id: string; name: string; label: string; updatedAt: Date; errorCount: number }[]>(),
    byId: t.procedure.input(z.object({ id: z.string() })).query((): { id: string; name: string; label: string; graph: WorkflowGraph; updatedAt: Date; diagnostics: Diagnostic[]; liveRelease: number | null } => null as never),
    create: t.procedure.input(z.object({ name: z.string(), label: z.string() })).mutation((): { id: string; name: string; label: string } => null as never),
    rename: t.procedure.input(z.object({ id: z.string(), name: z.string(), label: z.string() })).mutation((): { id: string; name: string; label: string } => null as never),
    delete: t.procedure.input(z.object({ id: z.string() })).mutation((): void => undefined),
    save: t.procedure.input(z.object({ id: z.string(), graph: z.custom<WorkflowGraph>() })).mutation((): { updatedAt: Date; diagnostics: Diagnostic[] } => null as never),
  }),
  release: t.router({
    deploy: t.procedure.mutation((): { number: number; workflowCount: number } => null as never),
    latest: q<{ number: number; createdAt: Date } | null>(),
  }),
  run: t.router({
    list: t.procedure.input(z.object({ limit: z.number().optional(), cursor: z.string().nullish(), workflowId: z.string().optional() })).query((): { items: RunSummary[]; nextCursor: string | null } => null as never),
    byId: t.procedure.input(z.object({ id: z.string() })).query((): RunSummary & { input: unknown; output: unknown; steps: { position: number; stepId: string; type: string; label: string; status: 'success' | 'failed' | 'skipped'; startedAt: Date; durationMs: number; input: unknown; output: unknown; error: string | null; logs: string[] }[] } => null as never),
  }),
});
export type AppRouter = typeof appRouter;
