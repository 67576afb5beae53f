-- Scheduling: runs due later, batches (a run per item of a list), recurring jobs, and a per-
-- environment scheduler state (paused, chain depth limit).

-- A run made by a schedule carries who or what scheduled it, and an optional key that makes its
-- creation happen once: a recurring job's fire time, a step that schedules (so a resumed attempt
-- finds the run it made), a batch item.
ALTER TABLE "Run" ADD COLUMN "scheduledBy" TEXT;
ALTER TABLE "Run" ADD COLUMN "dedupeKey" TEXT;
ALTER TABLE "Run" ADD COLUMN "batchId" TEXT;
ALTER TABLE "Run" ADD COLUMN "batchIndex" INTEGER;
CREATE UNIQUE INDEX "Run_dedupeKey_key" ON "Run"("dedupeKey");
CREATE INDEX "Run_batchId_status_idx" ON "Run"("batchId", "status");

-- Claiming looks at one environment at a time, so a paused environment's due runs are never scanned.
DROP INDEX "Run_due_idx";
CREATE INDEX "Run_due_idx" ON "Run"("priority", "environment", "runAt", "id") WHERE "status" = 'queued';

CREATE TABLE "SchedulerState" (
    "environment" TEXT NOT NULL PRIMARY KEY,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "changedAt" DATETIME,
    "changedBy" TEXT,
    "chainDepthLimit" INTEGER NOT NULL DEFAULT 100
);
INSERT INTO "SchedulerState" ("environment") VALUES ('draft'), ('live');

CREATE TABLE "Batch" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "environment" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "workflowName" TEXT NOT NULL,
    "releaseNumber" INTEGER,
    "draftRevision" INTEGER,
    "maxAttempts" INTEGER NOT NULL,
    "concurrencyLimit" INTEGER,
    "parentRunId" TEXT,
    "chainDepth" INTEGER NOT NULL DEFAULT 0,
    "scheduledBy" TEXT NOT NULL,
    "dedupeKey" TEXT,
    "itemKey" TEXT NOT NULL,
    "baseInput" TEXT NOT NULL,
    "total" INTEGER NOT NULL,
    "materialized" INTEGER NOT NULL DEFAULT 0,
    "startAt" DATETIME NOT NULL,
    "intervalMs" INTEGER NOT NULL,
    "ordered" BOOLEAN NOT NULL,
    "succeeded" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "cancelled" INTEGER NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL,
    "onFinish" TEXT,
    "onFinishRunId" TEXT,
    "cancelledBy" TEXT,
    "createdAt" DATETIME NOT NULL,
    "finishedAt" DATETIME
);
CREATE UNIQUE INDEX "Batch_dedupeKey_key" ON "Batch"("dedupeKey");

-- The list, apart from the batch row: counters change on the batch row as items end, and SQLite
-- rewrites a whole row on update (a million-item list would be rewritten each time).
CREATE TABLE "BatchList" (
    "batchId" TEXT NOT NULL PRIMARY KEY,
    "items" TEXT NOT NULL,
    CONSTRAINT "BatchList_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "Batch" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "Batch_status_id_idx" ON "Batch"("status", "id");
CREATE INDEX "Batch_environment_id_idx" ON "Batch"("environment", "id");

CREATE TABLE "RecurringJob" (
    "workflowId" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "changedAt" DATETIME NOT NULL,
    "changedBy" TEXT NOT NULL,
    "lastFireAt" DATETIME,
    "scheduleKey" TEXT,

    PRIMARY KEY ("workflowId", "environment")
);

CREATE TABLE "RecurringEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workflowId" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "kind" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "runId" TEXT
);
CREATE INDEX "RecurringEvent_workflowId_environment_id_idx" ON "RecurringEvent"("workflowId", "environment", "id");

-- The Scheduler page's "pending runs of this workflow", in due order, without scanning the others.
CREATE INDEX "Run_pending_workflow_idx" ON "Run"("workflowId", "environment", "runAt", "id") WHERE "status" = 'queued';
