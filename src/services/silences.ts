import { and, asc, count, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client.ts';
import { silences } from '../db/schema/index.ts';
import { alertCategories, severities } from '../db/schema/enums.ts';
import { NotFoundError, ValidationError } from './errors.ts';
import { getMonitor } from './monitors.ts';
import { paginate, type Ordering, type Page, type PageArgs } from './pagination.ts';
import { parseInput } from './validation.ts';
import type { Viewer } from './viewer.ts';

export type SilenceRow = typeof silences.$inferSelect;

const MAX_SILENCE_DAYS = 366;
const MAX_ACTIVE_SILENCES = 200;

const createSilenceSchema = z
  .object({
    monitorId: z.uuid().nullish(),
    category: z.enum(alertCategories).nullish(),
    minSeverity: z.enum(severities).nullish(),
    text: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').nullish(),
    comment: z.string().trim().max(1_000, 'must be at most 1000 characters').nullish(),
    startsAt: z.date().nullish(),
    endsAt: z.date(),
  })
  .superRefine((input, ctx) => {
    if (!input.monitorId && !input.category && !input.minSeverity && !input.text) {
      ctx.addIssue({ code: 'custom', path: [], message: 'must give at least one of monitorId, category, minSeverity or text: a silence never mutes everything' });
    }
    const startsAt = input.startsAt ?? new Date();
    if (input.endsAt <= startsAt) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt (and in the future)' });
    if (input.endsAt.getTime() - startsAt.getTime() > MAX_SILENCE_DAYS * 86_400_000) {
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: `a silence lasts at most ${MAX_SILENCE_DAYS} days` });
    }
  });
export type CreateSilenceInput = z.input<typeof createSilenceSchema>;

/** Mutes matching alerts from `startsAt` (default now) until `endsAt`. */
export async function createSilence(db: DbOrTx, viewer: Viewer, input: CreateSilenceInput): Promise<SilenceRow> {
  const data = parseInput(createSilenceSchema, input);
  if (data.monitorId) await getMonitor(db, viewer, data.monitorId);
  const [{ active }] = (await db
    .select({ active: sql<number>`count(*)::int` })
    .from(silences)
    .where(and(eq(silences.organizationId, viewer.organizationId), gt(silences.endsAt, sql`now()`)))) as [{ active: number }];
  if (active >= MAX_ACTIVE_SILENCES) {
    throw ValidationError.single(['input'], `an organization may have at most ${MAX_ACTIVE_SILENCES} active or upcoming silences; expire some first`);
  }
  const [silence] = await db
    .insert(silences)
    .values({
      organizationId: viewer.organizationId,
      monitorId: data.monitorId ?? null,
      category: data.category ?? null,
      minSeverity: data.minSeverity ?? null,
      text: data.text ?? null,
      comment: data.comment ?? null,
      ...(data.startsAt ? { startsAt: data.startsAt } : {}),
      endsAt: data.endsAt,
      createdByUserId: viewer.userId,
      createdByApiKeyId: viewer.apiKeyId,
    })
    .returning();
  return silence!;
}

/** Ends a silence now (or cancels one that has not started); its record and marks stay. */
export async function expireSilence(db: DbOrTx, viewer: Viewer, id: string): Promise<SilenceRow> {
  const [silence] = await db
    .update(silences)
    .set({ endsAt: sql`now()`, startsAt: sql`least(${silences.startsAt}, now() - interval '1 millisecond')` })
    .where(and(eq(silences.id, id), eq(silences.organizationId, viewer.organizationId), gt(silences.endsAt, sql`now()`)))
    .returning();
  if (silence) return silence;
  // Already over: expiring it again changes nothing.
  return getSilence(db, viewer, id);
}

/** Removes a silence; alerts it muted stay marked silenced (their `silence` becomes null). */
export async function deleteSilence(db: DbOrTx, viewer: Viewer, id: string): Promise<SilenceRow> {
  const [silence] = await db
    .delete(silences)
    .where(and(eq(silences.id, id), eq(silences.organizationId, viewer.organizationId)))
    .returning();
  if (!silence) throw new NotFoundError('Silence', id);
  return silence;
}

async function getSilence(db: DbOrTx, viewer: Viewer, id: string): Promise<SilenceRow> {
  const [silence] = await db.select().from(silences).where(and(eq(silences.id, id), eq(silences.organizationId, viewer.organizationId)));
  if (!silence) throw new NotFoundError('Silence', id);
  return silence;
}

/** Active and upcoming silences, ending soonest first; with `includeExpired`, also the 100 most recently ended. */
const silenceOrderings: Record<'current' | 'expired', Ordering> = {
  current: {
    name: 'silences.endingSoonest',
    direction: 'asc',
    keys: [
      { column: silences.endsAt, type: 'timestamptz' },
      { column: silences.id, type: 'uuid' },
    ],
  },
  expired: {
    name: 'silences.endedLatest',
    direction: 'desc',
    keys: [
      { column: silences.endsAt, type: 'timestamptz' },
      { column: silences.id, type: 'uuid' },
    ],
  },
};

function silenceConditions(viewer: Viewer, isExpired: boolean) {
  return and(eq(silences.organizationId, viewer.organizationId), isExpired ? lte(silences.endsAt, sql`now()`) : gt(silences.endsAt, sql`now()`));
}

/** In effect or upcoming silences, ending soonest first; or, with `isExpired`, ended ones, latest first. */
export function listSilences(db: DbOrTx, viewer: Viewer, options: { isExpired: boolean }, args: PageArgs): Promise<Page<SilenceRow>> {
  return paginate(args, silenceOrderings[options.isExpired ? 'expired' : 'current'], ({ seek, orderBy, limit, cursor }) =>
    db
      .select({ silence: silences, cursor })
      .from(silences)
      .where(and(silenceConditions(viewer, options.isExpired), seek))
      .orderBy(...orderBy)
      .limit(limit)
      .then((rows) => rows.map((row) => ({ ...row.silence, cursor: row.cursor }))),
  );
}

export async function countSilences(db: DbOrTx, viewer: Viewer, options: { isExpired: boolean }): Promise<number> {
  const [row] = await db.select({ value: count() }).from(silences).where(silenceConditions(viewer, options.isExpired));
  return row!.value;
}

export function loadSilences(db: DbOrTx, organizationId: string, ids: readonly string[]): Promise<SilenceRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(silences)
    .where(and(eq(silences.organizationId, organizationId), inArray(silences.id, [...ids])));
}
