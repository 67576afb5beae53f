import { createCallerFactory, router } from './init.ts';
import { auditRouter } from './routers/audit.ts';
import { authRouter } from './routers/auth.ts';
import { instanceRouter } from './routers/instance.ts';
import { lockoutRouter } from './routers/lockout.ts';
import { releaseRouter } from './routers/release.ts';
import { recurringRouter } from './routers/recurring.ts';
import { runRouter } from './routers/run.ts';
import { schedulerRouter } from './routers/scheduler.ts';
import { settingsRouter, tokenRouter } from './routers/settings.ts';
import { secretsRouter } from './routers/secrets.ts';
import { usersRouter } from './routers/users.ts';
import { workflowRouter } from './routers/workflow.ts';

export const appRouter = router({
  auth: authRouter,
  workflow: workflowRouter,
  release: releaseRouter,
  run: runRouter,
  scheduler: schedulerRouter,
  recurring: recurringRouter,
  settings: settingsRouter,
  token: tokenRouter,
  secrets: secretsRouter,
  users: usersRouter,
  audit: auditRouter,
  instance: instanceRouter,
  lockout: lockoutRouter,
});

/** The API's type: the web app imports this type, never the code. */
export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
