import { encodeGlobalId } from '../../src/lib/global-id.ts';
import type { ScannerWriter, SoakOrganization } from './database.ts';
import { MIX, OPERATION_KINDS, runOperation, ToggleQueue, type Failure, type OperationKind } from './operations.ts';
import { nowUs } from './protocol.ts';

export type LoadKind = OperationKind | 'createAlert';

export interface KindStats {
  kind: LoadKind;
  /** Latency from the moment the operation was due (clock schedule) to its answer, ms. */
  latenciesMs: number[];
  errors: number;
  errorsByKind: Partial<Record<Failure['kind'], number>>;
  firstErrors: string[];
}

export interface LoadResult {
  stats: KindStats[];
  /** How late operations were dispatched against their schedule (the benchmark's own event loop), ms. */
  dispatchLagMs: number[];
  /** Measured alerts written by the scanner clock, with commit acknowledgement times. */
  createdAlerts: { organizationIndex: number; alertId: string; committedUs: number }[];
  elapsedMs: number;
  /** Operations still unanswered when the load's clock ended (awaited before returning). */
  inFlightAtEnd: number;
}

/** The loop wakes at least this often, so progress is reported while nothing is due. */
const MAX_SLEEP_MS = 1_000;

/**
 * An open-loop load: operation i is due at start + i / rate, whatever happened to the ones before
 * (nothing waits for an answer to send the next), with the alert-creating writes on a clock of
 * their own. Latency counts from when an operation was due, so a server that falls behind shows
 * it instead of slowing the load down.
 */
export async function runLoad(options: {
  url: string;
  organizations: SoakOrganization[];
  rate: number;
  alertsPerSecond: number;
  durationMs: number;
  scanner: ScannerWriter;
  onTick?: (elapsedMs: number) => void;
}): Promise<LoadResult> {
  const { url, organizations, rate, alertsPerSecond, durationMs, scanner } = options;
  const stats = new Map<LoadKind, KindStats>(
    [...OPERATION_KINDS, 'createAlert' as const].map((kind) => [kind, { kind, latenciesMs: [], errors: 0, errorsByKind: {}, firstErrors: [] }]),
  );
  const record = (kind: LoadKind, dueAt: number, failure: Failure | undefined) => {
    const entry = stats.get(kind)!;
    entry.latenciesMs.push(performance.now() - dueAt);
    if (failure) {
      entry.errors += 1;
      entry.errorsByKind[failure.kind] = (entry.errorsByKind[failure.kind] ?? 0) + 1;
      if (entry.firstErrors.length < 3) entry.firstErrors.push(failure.detail);
    }
  };
  const toggles = new ToggleQueue(organizations);
  const dispatchLagMs: number[] = [];
  const createdAlerts: LoadResult['createdAlerts'] = [];
  const inFlight = new Set<Promise<void>>();
  const track = (promise: Promise<void>) => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise));
  };

  const opIntervalMs = 1000 / rate;
  const alertIntervalMs = 1000 / alertsPerSecond;
  const totalOps = Math.floor(durationMs / opIntervalMs);
  const totalAlerts = Math.floor(durationMs / alertIntervalMs);
  const started = performance.now();
  let nextOp = 0;
  let nextAlert = 0;
  // One scanner connection: its writes are sequential, each due on its own clock.
  let scannerChain = Promise.resolve();

  while (nextOp < totalOps || nextAlert < totalAlerts) {
    const now = performance.now();
    while (nextOp < totalOps && started + nextOp * opIntervalMs <= now) {
      const i = nextOp++;
      const dueAt = started + i * opIntervalMs;
      dispatchLagMs.push(now - dueAt);
      const kind = MIX[i % MIX.length]!;
      const organizationIndex = Math.floor(i / MIX.length) % organizations.length;
      track(
        runOperation(kind, url, organizations[organizationIndex]!, organizationIndex, toggles, i).then(
          (outcome) => record(kind, dueAt, outcome.failure),
          (error: unknown) => record(kind, dueAt, { kind: 'network', detail: `${kind}: ${String(error)}` }),
        ),
      );
    }
    while (nextAlert < totalAlerts && started + nextAlert * alertIntervalMs <= now) {
      const j = nextAlert++;
      const dueAt = started + j * alertIntervalMs;
      const organizationIndex = j % organizations.length;
      scannerChain = scannerChain.then(async () => {
        try {
          const alertId = await scanner.create(organizations[organizationIndex]!, `m-${j}`);
          createdAlerts.push({ organizationIndex, alertId: encodeGlobalId('Alert', alertId), committedUs: nowUs() });
          record('createAlert', dueAt, undefined);
        } catch (error) {
          record('createAlert', dueAt, { kind: 'network', detail: `createAlert: ${(error as Error).message}` });
        }
      });
      track(scannerChain);
    }
    options.onTick?.(now - started);
    const nextDue = Math.min(nextOp < totalOps ? started + nextOp * opIntervalMs : Infinity, nextAlert < totalAlerts ? started + nextAlert * alertIntervalMs : Infinity);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(MAX_SLEEP_MS, nextDue - performance.now()))));
  }
  const inFlightAtEnd = inFlight.size;
  await Promise.all([...inFlight]);
  return { stats: [...stats.values()], dispatchLagMs, createdAlerts, elapsedMs: performance.now() - started, inFlightAtEnd };
}
