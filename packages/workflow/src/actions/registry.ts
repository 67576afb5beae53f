import { cancelScheduledAction } from './cancelScheduled.ts';
import { cancelScheduledListAction } from './cancelScheduledList.ts';
import { logAction } from './log.ts';
import type { ActionModule } from './module.ts';
import { returnDataAction } from './returnData.ts';
import { scheduleOnListAction } from './scheduleOnList.ts';
import { scheduleWorkflowAction } from './scheduleWorkflow.ts';
import { waitAction } from './wait.ts';

/** Every action type. Adding an action: write its module, then add it here. */
export const ACTION_MODULES = [
  logAction,
  waitAction,
  returnDataAction,
  scheduleWorkflowAction,
  scheduleOnListAction,
  cancelScheduledAction,
  cancelScheduledListAction,
] as const;

export type AnyActionModule = (typeof ACTION_MODULES)[number];
export type ActionType = AnyActionModule['type'];
/** The stored configuration of any registered action (the union of the modules' `C`). */
export type ActionConfigOf<M> = M extends ActionModule<infer C, infer _D> ? C : never;
export type AnyActionConfig = ActionConfigOf<AnyActionModule>;

const BY_TYPE = new Map<string, ActionModule<{ type: string }, unknown>>(
  ACTION_MODULES.map((m) => [m.type, m as unknown as ActionModule<{ type: string }, unknown>]),
);

/** The module of an action type; undefined for a type this build does not know. */
export function actionModule(type: string): ActionModule<{ type: string }, unknown> | undefined {
  return BY_TYPE.get(type);
}

export const ACTION_TYPES: ActionType[] = ACTION_MODULES.map((m) => m.type);
