// Prisma 7 reads its settings here, not from .env. The datasource URL only matters for the Prisma CLI
// (generate does not connect); the server builds its own URL from its validated config.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'file:./data/switchyard.db' },
});
