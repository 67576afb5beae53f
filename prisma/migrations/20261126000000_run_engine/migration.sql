-- The run engine: runs become a durable queue (run-at time, priority, attempts, lease), attempts
-- get their own rows, and steps are keyed by (run, attempt, step path) instead of position.
-- Runs recorded before this migration become attempt 1 of themselves; "success" is now
-- "succeeded", and a run left "running" by the old runner is marked interrupted.
-- Run ids become time-ordered (UUIDv7, as new runs get): the old random UUID keeps its random
-- bits and gets the run's start time in front, so ordering by id is ordering by creation time.

CREATE TEMP TABLE "run_ids" AS
SELECT "id" AS "old",
       substr(printf('%012x', CAST(round((julianday("startedAt") - 2440587.5) * 86400000.0) AS INTEGER)), 1, 8) || '-' ||
       substr(printf('%012x', CAST(round((julianday("startedAt") - 2440587.5) * 86400000.0) AS INTEGER)), 9, 4) || '-7' ||
       substr("id", 16, 3) || '-8' || substr("id", 21, 3) || '-' || substr("id", 25, 12) AS "new"
FROM "Run";
CREATE UNIQUE INDEX "temp"."run_ids_old" ON "run_ids"("old");

CREATE TABLE "new_Run" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workflowId" TEXT NOT NULL,
    "workflowName" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "releaseNumber" INTEGER,
    "draftRevision" INTEGER,
    "mode" TEXT NOT NULL,
    "runAt" DATETIME NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL,
    "nextAttemptReason" TEXT,
    "recovered" BOOLEAN NOT NULL DEFAULT false,
    "leaseOwner" TEXT,
    "leaseExpiresAt" DATETIME,
    "concurrencyLimit" INTEGER,
    "parentRunId" TEXT,
    "chainDepth" INTEGER NOT NULL DEFAULT 0,
    "input" TEXT NOT NULL,
    "output" TEXT,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "durationMs" REAL
);
INSERT INTO "new_Run" ("id", "workflowId", "workflowName", "environment", "trigger", "status", "releaseNumber", "mode", "runAt", "attempts", "maxAttempts", "input", "output", "error", "createdAt", "startedAt", "finishedAt", "durationMs")
SELECT (SELECT "new" FROM "run_ids" WHERE "old" = "Run"."id"), "workflowId", "workflowName", "environment", "trigger",
       CASE "status" WHEN 'success' THEN 'succeeded' WHEN 'running' THEN 'interrupted' ELSE "status" END,
       "releaseNumber", 'sync', "startedAt", 1, 1, "input", "output",
       CASE WHEN "status" = 'running' THEN 'The server stopped while this run was in progress' ELSE "error" END,
       "startedAt", "startedAt", COALESCE("finishedAt", CASE WHEN "status" = 'running' THEN "startedAt" END), "durationMs"
FROM "Run";

CREATE TABLE "RunAttempt" (
    "runId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME,
    "error" TEXT,
    "runner" TEXT NOT NULL,

    PRIMARY KEY ("runId", "number"),
    CONSTRAINT "RunAttempt_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "RunAttempt" ("runId", "number", "reason", "status", "startedAt", "finishedAt", "error", "runner")
SELECT "id", 1, 'first', "status", "startedAt", "finishedAt", "error", 'before-run-engine' FROM "new_Run";

CREATE TABLE "new_RunStep" (
    "runId" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "path" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "stepId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "durationMs" REAL NOT NULL,
    "input" TEXT,
    "output" TEXT,
    "error" TEXT,
    "logs" TEXT,

    PRIMARY KEY ("runId", "attempt", "path"),
    CONSTRAINT "RunStep_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- Old step ids were unique within a run (a run was a straight chain); the position breaks ties anyway.
INSERT INTO "new_RunStep" ("runId", "attempt", "path", "position", "stepId", "type", "label", "status", "startedAt", "durationMs", "input", "output", "error", "logs")
SELECT (SELECT "new" FROM "run_ids" WHERE "old" = "RunStep"."runId"), 1, "stepId" || CASE WHEN COUNT(*) OVER (PARTITION BY "runId", "stepId") > 1 THEN '#' || "position" ELSE '' END,
       "position", "stepId", "type", "label", CASE "status" WHEN 'success' THEN 'succeeded' ELSE "status" END,
       "startedAt", "durationMs", "input", "output", "error", "logs"
FROM "RunStep";

DROP TABLE "RunStep";
DROP TABLE "Run";
DROP TABLE "run_ids";
ALTER TABLE "new_Run" RENAME TO "Run";
ALTER TABLE "new_RunStep" RENAME TO "RunStep";

CREATE TABLE "DraftSnapshot" (
    "workflowId" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "definition" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,

    PRIMARY KEY ("workflowId", "revision")
);

CREATE TABLE "RefusedCall" (
    "workflowName" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "lastAt" DATETIME NOT NULL,
    "lastMessage" TEXT NOT NULL,

    PRIMARY KEY ("workflowName", "environment", "reason")
);

CREATE TABLE "RunnerProcess" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hostname" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "heartbeatAt" DATETIME NOT NULL
);

-- Runners claim due runs through a partial index: only queued runs are in it, so the many finished
-- runs cost it nothing. (Prisma's schema cannot express partial indexes; see schema.prisma.)
CREATE INDEX "Run_due_idx" ON "Run"("priority", "runAt") WHERE "status" = 'queued';
CREATE INDEX "Run_workflowId_id_idx" ON "Run"("workflowId", "id");
CREATE INDEX "Run_status_id_idx" ON "Run"("status", "id");
