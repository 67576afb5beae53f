import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './router-type.ts';

/**
 * Every shape the API sends or takes, derived from the server's router type: nothing is copied by
 * hand, so a change on the server is a type error here (as create-t3-app does).
 */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

export type WorkflowDetail = RouterOutputs['workflow']['byId'];
export type RunSummary = RouterOutputs['run']['list']['items'][number];
export type RunDetail = RouterOutputs['run']['byId'];
export type RunStatus = RunSummary['status'];
export type RefusedCall = RouterOutputs['run']['refused'][number];
