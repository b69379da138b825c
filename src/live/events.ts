import { z } from 'zod';

/** The channel every Vigil process LISTENs on; the triggers in drizzle/functions/04_live_events.sql NOTIFY it. */
export const EVENTS_CHANNEL = 'vigil_events';

const alertCreated = z.object({
  type: z.literal('alert.created'),
  organizationId: z.string(),
  monitorId: z.string(),
  alertId: z.string(),
  seq: z.number(),
});
const alertUpdated = z.object({
  type: z.literal('alert.updated'),
  organizationId: z.string(),
  monitorId: z.string().optional(),
  alertId: z.string(),
  change: z.enum(['status', 'occurrence', 'details', 'note']),
});
const scanProgress = z.object({
  type: z.literal('scan.progress'),
  organizationId: z.string(),
  monitorId: z.string(),
  scanId: z.string(),
  phase: z.string(),
  source: z.string().optional(),
  done: z.number().optional(),
  total: z.number().optional(),
});

export const liveEventSchema = z.discriminatedUnion('type', [alertCreated, alertUpdated, scanProgress]);
export type LiveEvent = z.infer<typeof liveEventSchema>;
export type AlertCreatedEvent = z.infer<typeof alertCreated>;
export type AlertUpdatedEvent = z.infer<typeof alertUpdated>;
export type ScanProgressEvent = z.infer<typeof scanProgress>;

export function parseLiveEvent(payload: string): LiveEvent | null {
  try {
    const result = liveEventSchema.safeParse(JSON.parse(payload));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}
