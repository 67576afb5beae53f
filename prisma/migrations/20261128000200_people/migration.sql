-- People: account status and last sign-in, one-time invitation and reset links, and the audit log.

-- active | invited (no password yet: the hash is empty until the invitation is accepted) | disabled.
ALTER TABLE "User" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'active';
ALTER TABLE "User" ADD COLUMN "lastSignInAt" DATETIME;

-- Only the SHA-256 of a link's token is stored; using the link deletes its row.
CREATE TABLE "AccountLink" (
    "tokenHash" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdByUserId" TEXT,
    CONSTRAINT "AccountLink_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "AccountLink_userId_idx" ON "AccountLink"("userId");

-- UUIDv7 ids: newest first and date ranges walk the primary key; the filters have their own
-- (column, id) indexes so a filtered page is a range too. No foreign key to User: the log keeps
-- the actor's email as it was, whatever happens to the account later.
CREATE TABLE "AuditEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "at" DATETIME NOT NULL,
    "actorKind" TEXT NOT NULL,
    "actorId" TEXT,
    "actorName" TEXT,
    "action" TEXT NOT NULL,
    "targetType" TEXT,
    "targetId" TEXT,
    "targetLabel" TEXT,
    "details" TEXT
);
CREATE INDEX "AuditEvent_action_id_idx" ON "AuditEvent"("action", "id");
CREATE INDEX "AuditEvent_actorId_id_idx" ON "AuditEvent"("actorId", "id");
