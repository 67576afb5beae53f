import type { ActionConfig, ActionType } from './graph.ts';

/**
 * What the editor needs to know about each action: its name, what it does and a fresh
 * configuration. The forms themselves live in the web app; the shape lives in graph.ts.
 */
export interface ActionInfo<T extends ActionType = ActionType> {
  type: T;
  label: string;
  description: string;
  /** Ends the run when it executes. */
  terminal: boolean;
  create(): Extract<ActionConfig, { type: T }>;
}

export const ACTIONS: { [T in ActionType]: ActionInfo<T> } = {
  log: {
    type: 'log',
    label: 'Log a value',
    description: "Writes text or an expression's value to the run's log.",
    terminal: false,
    create: () => ({ type: 'log', message: '' }),
  },
  returnData: {
    type: 'returnData',
    label: 'Return data from API',
    description: 'Ends the run and answers the caller with these keys and values as JSON.',
    terminal: true,
    create: () => ({ type: 'returnData', entries: [] }),
  },
};

export const ACTION_TYPES = Object.keys(ACTIONS) as ActionType[];

export const PARAMETER_TYPE_LABELS = {
  text: 'Text',
  number: 'Number',
  boolean: 'Yes / no',
  date: 'Date',
} as const;
