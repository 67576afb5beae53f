-- The Workflow API: API tokens, the instance's API settings, idempotency keys.

-- A token callers send as "Authorization: Bearer <token>". Only its SHA-256 is stored (tokens are
-- 32 random bytes, so a fast hash is enough); `prefix` is what lists show to tell tokens apart.
-- Scope: every workflow, or the ids in `workflowIds` (JSON array). `dataApi` is the Data API scope.
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "label" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "allWorkflows" BOOLEAN NOT NULL,
    "workflowIds" TEXT NOT NULL DEFAULT '[]',
    "dataApi" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL,
    "createdBy" TEXT NOT NULL,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME,
    "revokedBy" TEXT
);
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- One row: the Workflow API switch, rate limits (requests per minute; null: none) and the browser
-- origins allowed to call workflow endpoints (JSON array).
CREATE TABLE "InstanceSettings" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "apiEnabled" BOOLEAN NOT NULL DEFAULT true,
    "rateLimitPerToken" INTEGER,
    "rateLimitPerAddress" INTEGER,
    "corsOrigins" TEXT NOT NULL DEFAULT '[]',
    "updatedAt" DATETIME,
    "updatedBy" TEXT
);
INSERT INTO "InstanceSettings" ("id") VALUES (1);

-- A caller's Idempotency-Key (or webhook-id) per workflow and environment: the first call's body
-- hash, its run and, once answered, its answer, replayed to repeats until `expiresAt`.
-- state: running (being answered by `owner`) | done.
CREATE TABLE "IdempotencyKey" (
    "workflowId" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "bodyHash" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "statusCode" INTEGER,
    "response" TEXT,
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    PRIMARY KEY ("workflowId", "environment", "key")
);
CREATE INDEX "IdempotencyKey_expiresAt_idx" ON "IdempotencyKey"("expiresAt");
