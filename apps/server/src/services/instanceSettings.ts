import { z } from 'zod';
import type { Db } from '../db/index.ts';
import type { InstanceApiSettings } from './apiGate.ts';
import { type Actor, actorName, audit } from './audit.ts';

/** "https://shop.example.com": scheme, host and an optional port; "*" allows any origin. */
const Origin = z
  .string()
  .trim()
  .max(200)
  .refine((value) => value === '*' || isOrigin(value), { message: 'An origin is a scheme and host, e.g. https://shop.example.com (no path), or *' });

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

const PerMinute = z.number().int().min(1, 'A limit is at least 1 request a minute').max(1_000_000).nullable();

/** The instance settings admins edit in Settings; the one schema the page, the server and tests share. */
export const ApiSettingsInput = z.object({
  apiEnabled: z.boolean(),
  /** Requests a minute per token; null: no limit. */
  rateLimitPerToken: PerMinute,
  /** Requests a minute per client address; null: no limit. */
  rateLimitPerAddress: PerMinute,
  corsOrigins: z.array(Origin).max(50, 'At most 50 origins'),
});
export type ApiSettingsInput = z.infer<typeof ApiSettingsInput>;

export interface ApiSettingsView extends InstanceApiSettings {
  updatedAt: Date | null;
  updatedBy: string | null;
}

export async function readApiSettings(db: Db): Promise<ApiSettingsView> {
  const row = await db.instanceSettings.findUnique({ where: { id: 1 } });
  return {
    apiEnabled: row?.apiEnabled ?? true,
    rateLimitPerToken: row?.rateLimitPerToken ?? null,
    rateLimitPerAddress: row?.rateLimitPerAddress ?? null,
    corsOrigins: row ? (JSON.parse(row.corsOrigins) as string[]) : [],
    updatedAt: row?.updatedAt ?? null,
    updatedBy: row?.updatedBy ?? null,
  };
}

export async function updateApiSettings(db: Db, raw: ApiSettingsInput, by: Actor): Promise<ApiSettingsView> {
  const input = ApiSettingsInput.parse(raw);
  const before = await readApiSettings(db);
  const data = {
    apiEnabled: input.apiEnabled,
    rateLimitPerToken: input.rateLimitPerToken,
    rateLimitPerAddress: input.rateLimitPerAddress,
    corsOrigins: JSON.stringify([...new Set(input.corsOrigins)]),
    updatedAt: new Date(),
    updatedBy: actorName(by),
  };
  const changed = (['apiEnabled', 'rateLimitPerToken', 'rateLimitPerAddress', 'corsOrigins'] as const).filter(
    (key) => JSON.stringify(before[key]) !== JSON.stringify(key === 'corsOrigins' ? [...new Set(input.corsOrigins)] : input[key]),
  );
  await db.$transaction(async (tx) => {
    await tx.instanceSettings.upsert({ where: { id: 1 }, create: { id: 1, ...data }, update: data });
    if (changed.length > 0) {
      await audit(tx, { actor: by, action: 'settings.changed', target: { type: 'settings', id: 'workflow_api', label: 'Workflow API' }, details: Object.fromEntries(changed.map((k) => [k, input[k]])) });
    }
  });
  return readApiSettings(db);
}
