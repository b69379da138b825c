import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { monitors } from '../db/schema/index.ts';
import { frequencies, monitorKinds, monitorStatuses, sourceKinds } from '../db/schema/enums.ts';
import { ValidationError } from './errors.ts';
import { createMonitor, setMonitorStatus, updateMonitor, type MonitorRow } from './monitors.ts';
import { parseInput } from './validation.ts';
import type { Viewer } from './viewer.ts';

export const EXPORT_VERSION = 1;
/** The most monitors one document holds: the largest plan's limit. */
export const MAX_TRANSFER_MONITORS = 500;

const exportedMonitor = z.object({
  name: z.string(),
  kind: z.enum(monitorKinds),
  terms: z.array(z.string()),
  excludeTerms: z.array(z.string()).nullish().transform((terms) => terms ?? []),
  sources: z.array(z.enum(sourceKinds)),
  feedUrls: z.array(z.string()).nullish().transform((urls) => urls ?? []),
  frequency: z.enum(frequencies),
  intervalMinutes: z.number().int().nullish(),
  status: z.enum(monitorStatuses).nullish().transform((status) => status ?? 'active'),
});

const documentSchema = z
  .object({
    version: z.literal(EXPORT_VERSION, { error: `must be ${EXPORT_VERSION}` }),
    monitors: z.array(exportedMonitor).max(MAX_TRANSFER_MONITORS, `must hold at most ${MAX_TRANSFER_MONITORS} monitors`),
  })
  .refine((doc) => new Set(doc.monitors.map((m) => m.name.trim().toLowerCase())).size === doc.monitors.length, {
    path: ['monitors'],
    message: 'names must be unique: a name identifies a monitor on re-import',
  });

export type MonitorDocument = z.input<typeof documentSchema>;
export type ExportedMonitor = z.output<typeof exportedMonitor>;

/** The organization's monitors (the first 500 by name) as a document that `importMonitors` accepts back. */
export async function exportMonitors(db: Db, viewer: Viewer): Promise<{ version: number; monitors: ExportedMonitor[] }> {
  const rows = await db
    .select()
    .from(monitors)
    .where(eq(monitors.organizationId, viewer.organizationId))
    .orderBy(asc(monitors.name), asc(monitors.id))
    .limit(MAX_TRANSFER_MONITORS);
  return {
    version: EXPORT_VERSION,
    monitors: rows.map((m) => ({
      name: m.name,
      kind: m.kind,
      terms: m.terms,
      excludeTerms: m.excludeTerms,
      sources: m.sources,
      feedUrls: m.feedUrls,
      frequency: m.frequency,
      intervalMinutes: m.frequency === 'interval' ? m.intervalMinutes : null,
      status: m.status,
    })),
  };
}

/**
 * Creates or updates monitors from an exported document, matched by name (case-insensitive), all
 * or nothing: every monitor goes through the same validation and plan limits as createMonitor, and
 * an error anywhere rolls the whole import back. Importing the same document twice changes nothing.
 */
export async function importMonitors(db: Db, viewer: Viewer, document: unknown): Promise<{ created: MonitorRow[]; updated: MonitorRow[] }> {
  const data = parseInput(documentSchema, document);
  return db.transaction(async (tx) => {
    const names = data.monitors.map((m) => m.name.trim().toLowerCase());
    const existing = names.length
      ? await tx
          .select()
          .from(monitors)
          .where(and(eq(monitors.organizationId, viewer.organizationId), inArray(sql`lower(trim(${monitors.name}))`, names)))
      : [];
    const byName = new Map(existing.map((m) => [m.name.trim().toLowerCase(), m]));
    const created: MonitorRow[] = [];
    const updated: MonitorRow[] = [];
    for (const [index, item] of data.monitors.entries()) {
      const fields = {
        name: item.name,
        terms: item.terms,
        excludeTerms: item.excludeTerms,
        sources: item.sources,
        feedUrls: item.feedUrls,
        frequency: item.frequency,
        intervalMinutes: item.intervalMinutes ?? undefined,
      };
      try {
        const current = byName.get(item.name.trim().toLowerCase());
        // Nested calls run as savepoints of this transaction.
        let monitor = current
          ? await updateMonitor(tx as unknown as Db, viewer, current.id, fields)
          : await createMonitor(tx as unknown as Db, viewer, { ...fields, kind: item.kind });
        if (monitor.status !== item.status) monitor = await setMonitorStatus(tx, viewer, monitor.id, item.status);
        (current ? updated : created).push(monitor);
      } catch (error) {
        if (error instanceof ValidationError) {
          throw new ValidationError(error.issues.map((issue) => ({ path: ['input', 'monitors', index, ...issue.path.slice(1)], message: issue.message })));
        }
        throw error;
      }
    }
    return { created, updated };
  });
}
