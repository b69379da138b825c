import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  real,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { organizations, users, apiKeys } from './accounts.ts';
import {
  alertCategories,
  alertStatuses,
  findingStatuses,
  frequencies,
  inList,
  monitorKinds,
  monitorStatuses,
  scanStatuses,
  scanTriggers,
  severities,
  suppressionRuleKinds,
  type AlertCategory,
  type AlertStatus,
  type FindingStatus,
  type Frequency,
  type MonitorKind,
  type MonitorStatus,
  type ScanStatus,
  type ScanTrigger,
  type Severity,
  type SourceKind,
  type SuppressionRuleKind,
} from './enums.ts';
import type { Explanation } from './explanation.ts';

const timestamptz = () => timestamp({ withTimezone: true });
const orgRef = () =>
  uuid()
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' });

/**
 * A tenant row's monitor, referenced together with the organization: a row can never point at
 * another organization's monitor, and the key includes the column a distributed database would
 * shard by (see BENCHMARKS.md, "Beyond one machine").
 */
const monitorFk = (name: string, t: { organizationId: AnyPgColumn; monitorId: AnyPgColumn }) =>
  foreignKey({ name, columns: [t.organizationId, t.monitorId], foreignColumns: [monitors.organizationId, monitors.id] }).onDelete('cascade');

export const monitors = pgTable(
  'monitors',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: orgRef(),
    name: text().notNull(),
    kind: text().$type<MonitorKind>().notNull(),
    terms: text().array().notNull(),
    excludeTerms: text().array().notNull().default(sql`'{}'::text[]`),
    sources: text().array().$type<SourceKind[]>().notNull(),
    /** RSS/Atom/JSON Feed URLs read by the `rss` source. */
    feedUrls: text().array().notNull().default(sql`'{}'::text[]`),
    frequency: text().$type<Frequency>().notNull(),
    /** The effective scan interval, derived from `frequency` (or given for `interval`). */
    intervalMinutes: integer().notNull(),
    status: text().$type<MonitorStatus>().notNull().default('active'),
    nextScanAt: timestamptz().notNull().defaultNow(),
    lastScanAt: timestamptz(),
    lastError: text(),
    createdAt: timestamptz().notNull().defaultNow(),
    updatedAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [
    // What tenant rows reference (see monitorFk).
    uniqueIndex('monitors_org_id_key').on(t.organizationId, t.id),
    index('monitors_org_created_idx').on(t.organizationId, t.createdAt, t.id),
    index('monitors_org_name_idx').on(t.organizationId, t.name, t.id),
    index('monitors_org_next_scan_idx').on(t.organizationId, t.nextScanAt, t.id),
    // The scheduler's claim query: due, active monitors across all organizations.
    index('monitors_due_idx').on(t.nextScanAt).where(sql.raw(`status = 'active'`)),
    check('monitors_kind_check', sql.raw(`kind IN (${inList(monitorKinds)})`)),
    check('monitors_status_check', sql.raw(`status IN (${inList(monitorStatuses)})`)),
    check('monitors_frequency_check', sql.raw(`frequency IN (${inList(frequencies)})`)),
    check('monitors_interval_check', sql.raw('interval_minutes > 0')),
    check('monitors_terms_check', sql.raw('cardinality(terms) > 0')),
    check('monitors_sources_check', sql.raw('cardinality(sources) > 0')),
  ],
);

export const scans = pgTable(
  'scans',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: orgRef(),
    monitorId: uuid().notNull(),
    trigger: text().$type<ScanTrigger>().notNull(),
    status: text().$type<ScanStatus>().notNull().default('queued'),
    queuedAt: timestamptz().notNull().defaultNow(),
    startedAt: timestamptz(),
    finishedAt: timestamptz(),
    findingsSeen: integer().notNull().default(0),
    findingsNew: integer().notNull().default(0),
    findingsSuppressed: integer().notNull().default(0),
    alertsCreated: integer().notNull().default(0),
    alertsUpdated: integer().notNull().default(0),
    promptTokens: integer().notNull().default(0),
    completionTokens: integer().notNull().default(0),
    costUsd: numeric({ precision: 12, scale: 6 }).notNull().default('0'),
    creditsCharged: integer().notNull().default(0),
    error: text(),
  },
  (t) => [
    monitorFk('scans_monitor_fk', t),
    index('scans_monitor_queued_idx').on(t.monitorId, t.queuedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('scans_org_queued_idx').on(t.organizationId, t.queuedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    // At most one scan waits per monitor: the scheduler and "scan now" both rely on it.
    uniqueIndex('scans_one_queued_per_monitor_key').on(t.organizationId, t.monitorId).where(sql.raw(`status = 'queued'`)),
    check('scans_trigger_check', sql.raw(`trigger IN (${inList(scanTriggers)})`)),
    check('scans_status_check', sql.raw(`status IN (${inList(scanStatuses)})`)),
  ],
);

/** One result a source returned for a monitor; seen once, analyzed once. */
export const findings = pgTable(
  'findings',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: orgRef(),
    monitorId: uuid().notNull(),
    /** The scan that first saw it. */
    scanId: uuid().references(() => scans.id, { onDelete: 'set null' }),
    source: text().$type<SourceKind>().notNull(),
    url: text().notNull(),
    /** SHA-256 of the canonical URL: the finding's identity for its monitor. */
    urlHash: text().notNull(),
    /** SHA-256 of the normalized content: the analyzer cache key. */
    contentHash: text().notNull(),
    title: text().notNull(),
    snippet: text().notNull().default(''),
    status: text().$type<FindingStatus>().notNull().default('new'),
    suppressedReason: text(),
    /** Why the judge decided as it did (see `Explanation`); null for findings recorded before explanations. */
    explanation: jsonb().$type<Explanation>(),
    /** The suppression rule that dropped it, while the rule exists (the reason text stays). */
    suppressionRuleId: uuid().references(() => suppressionRules.id, { onDelete: 'set null' }),
    firstSeenAt: timestamptz().notNull().defaultNow(),
    lastSeenAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [
    monitorFk('findings_monitor_fk', t),
    // Keys start with the organization, the way to distribution by organization (BENCHMARKS.md).
    uniqueIndex('findings_org_monitor_url_key').on(t.organizationId, t.monitorId, t.urlHash),
    index('findings_scan_idx').on(t.scanId),
    index('findings_content_hash_idx').on(t.contentHash),
    index('findings_suppression_rule_idx').on(t.suppressionRuleId).where(sql.raw('suppression_rule_id IS NOT NULL')),
    check('findings_status_check', sql.raw(`status IN (${inList(findingStatuses)})`)),
  ],
);

/**
 * A silence mutes alerts that match all of its given conditions while it is in effect: they are
 * still stored, marked silenced, and neither pushed to subscribers nor sent to webhooks or digests.
 */
export const silences = pgTable(
  'silences',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: orgRef(),
    monitorId: uuid(),
    category: text().$type<AlertCategory>(),
    minSeverity: text().$type<Severity>(),
    /** Case-insensitive substring of the alert's title, summary or URL. */
    text: text(),
    comment: text(),
    startsAt: timestamptz().notNull().defaultNow(),
    endsAt: timestamptz().notNull(),
    createdByUserId: uuid().references(() => users.id, { onDelete: 'set null' }),
    createdByApiKeyId: uuid().references(() => apiKeys.id, { onDelete: 'set null' }),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [
    monitorFk('silences_monitor_fk', t),
    index('silences_org_ends_idx').on(t.organizationId, t.endsAt),
    check('silences_period_check', sql.raw('ends_at > starts_at')),
    check('silences_category_check', sql.raw(`category IS NULL OR category IN (${inList(alertCategories)})`)),
    check('silences_min_severity_check', sql.raw(`min_severity IS NULL OR min_severity IN (${inList(severities)})`)),
  ],
);

/**
 * Learned from false positives (or written by hand): later findings of the monitor that match are
 * dropped before analysis, with the rule as their "why suppressed" reason.
 */
export const suppressionRules = pgTable(
  'suppression_rules',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: orgRef(),
    monitorId: uuid().notNull(),
    kind: text().$type<SuppressionRuleKind>().notNull(),
    /** A host name (matching it and its subdomains) or a URL glob where `*` matches anything. */
    pattern: text().notNull(),
    /** The alert marked false positive that taught it, if any. */
    sourceAlertId: uuid().references((): AnyPgColumn => alerts.id, { onDelete: 'set null' }),
    createdByUserId: uuid().references(() => users.id, { onDelete: 'set null' }),
    createdByApiKeyId: uuid().references(() => apiKeys.id, { onDelete: 'set null' }),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [
    monitorFk('suppression_rules_monitor_fk', t),
    uniqueIndex('suppression_rules_monitor_pattern_key').on(t.organizationId, t.monitorId, t.kind, t.pattern),
    index('suppression_rules_org_created_idx').on(t.organizationId, t.createdAt, t.id),
    check('suppression_rules_kind_check', sql.raw(`kind IN (${inList(suppressionRuleKinds)})`)),
  ],
);

/**
 * How each source of a monitor has been doing, updated with every scan: consecutive failures, and
 * when it last returned results (with the usual gap between such scans) to notice it falling silent.
 */
export const monitorSourceHealth = pgTable(
  'monitor_source_health',
  {
    organizationId: orgRef(),
    monitorId: uuid().notNull(),
    source: text().$type<SourceKind>().notNull(),
    consecutiveFailures: integer().notNull().default(0),
    lastError: text(),
    lastSuccessAt: timestamptz(),
    lastResultsAt: timestamptz(),
    /** Scans that returned results so far, and the mean gap between them. */
    resultScans: integer().notNull().default(0),
    meanResultGapSeconds: doublePrecision(),
    /** Why the source is unhealthy right now (failing or silent), or null when it is fine. */
    problem: text(),
    updatedAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.monitorId, t.source] }), monitorFk('monitor_source_health_monitor_fk', t)],
);

export const alerts = pgTable(
  'alerts',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: orgRef(),
    monitorId: uuid().notNull(),
    /** Dedup key: the same threat seen again bumps `occurrences` instead of creating an alert. */
    fingerprint: text().notNull(),
    title: text().notNull(),
    summary: text().notNull().default(''),
    url: text(),
    source: text().$type<SourceKind>(),
    category: text().$type<AlertCategory>().notNull(),
    severity: text().$type<Severity>().notNull(),
    /** Orders alerts by severity with an index; derived, never written. */
    severityRank: smallint()
      .notNull()
      .generatedAlwaysAs(sql.raw(`CASE severity WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 ELSE 4 END`)),
    confidence: real().notNull(),
    rationale: text(),
    /** Why the judge called it a threat (see `Explanation`); null for source-health alerts and older alerts. */
    explanation: jsonb().$type<Explanation>(),
    /** Set when the LLM was unavailable and the rule engine judged instead. */
    isUnverified: boolean().notNull().default(false),
    status: text().$type<AlertStatus>().notNull().default('new'),
    occurrences: integer().notNull().default(1),
    firstSeenAt: timestamptz().notNull().defaultNow(),
    lastSeenAt: timestamptz().notNull().defaultNow(),
    acknowledgedAt: timestamptz(),
    acknowledgedByUserId: uuid().references(() => users.id, { onDelete: 'set null' }),
    resolvedAt: timestamptz(),
    resolvedByUserId: uuid().references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamptz().notNull().defaultNow(),
    updatedAt: timestamptz().notNull().defaultNow(),
    /**
     * Position in the organization's commit order, numbered as the row is inserted from the
     * organization's counter (`alert_sequences`), which stays locked until the transaction ends:
     * replaying `createdSeq > cursor` can therefore never skip an alert of the organization
     * (see drizzle/functions/*alert_numbers*).
     */
    createdSeq: bigint({ mode: 'number' }),
    /** While status is `snoozed`: until when. A repeat after this time returns the alert to `new`. */
    snoozedUntil: timestamptz(),
    /** Set when a silence matched the alert as it fired: stored, but neither pushed nor notified. */
    silencedAt: timestamptz(),
    silenceId: uuid().references(() => silences.id, { onDelete: 'set null' }),
  },
  // Descending index columns are NULLS FIRST, PostgreSQL's default for DESC: that is what a plain
  // `ORDER BY … DESC` (forwards) and `… ASC` (backwards) can read in order. drizzle's bare .desc()
  // says NULLS LAST, which PostgreSQL cannot use for those orderings, even on NOT NULL columns.
  (t) => [
    monitorFk('alerts_monitor_fk', t),
    uniqueIndex('alerts_org_monitor_fingerprint_key').on(t.organizationId, t.monitorId, t.fingerprint),
    uniqueIndex('alerts_org_created_seq_key').on(t.organizationId, t.createdSeq),
    // The retention purge walks each organization's alerts by when they were last seen.
    index('alerts_org_last_seen_idx').on(t.organizationId, t.lastSeenAt),
    index('alerts_org_created_idx').on(t.organizationId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('alerts_org_severity_idx').on(t.organizationId, t.severityRank.desc().nullsFirst(), t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('alerts_org_status_created_idx').on(t.organizationId, t.status, t.createdAt.desc().nullsFirst()),
    index('alerts_monitor_created_idx').on(t.monitorId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    // `filter.text` is a case-insensitive substring of the title, summary or URL (ILIKE): trigrams
    // let PostgreSQL find the few rows holding a rare term, or none, without reading every alert.
    index('alerts_text_trgm_idx').using('gin', t.title.op('gin_trgm_ops'), t.summary.op('gin_trgm_ops'), t.url.op('gin_trgm_ops')),
    check('alerts_category_check', sql.raw(`category IN (${inList(alertCategories)})`)),
    check('alerts_severity_check', sql.raw(`severity IN (${inList(severities)})`)),
    check('alerts_status_check', sql.raw(`status IN (${inList(alertStatuses)})`)),
    check('alerts_confidence_check', sql.raw('confidence >= 0 AND confidence <= 1')),
    check('alerts_occurrences_check', sql.raw('occurrences >= 1')),
    check('alerts_snoozed_check', sql.raw(`(status = 'snoozed') = (snoozed_until IS NOT NULL)`)),
  ],
);

/**
 * The last alert number (`alerts.created_seq`) each organization handed out. Its row is the
 * organization's lock for numbering: a transaction creating alerts holds it until it ends, so
 * within one organization numbers follow commit order, and organizations never wait on each other.
 */
export const alertSequences = pgTable('alert_sequences', {
  organizationId: uuid()
    .primaryKey()
    .references(() => organizations.id, { onDelete: 'cascade' }),
  lastSeq: bigint({ mode: 'number' }).notNull().default(0),
});

/** Every status change of an alert, including its creation and reopening; append-only. */
export const alertHistory = pgTable(
  'alert_history',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    organizationId: orgRef(),
    alertId: uuid()
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    fromStatus: text().$type<AlertStatus>(),
    toStatus: text().$type<AlertStatus>().notNull(),
    actorUserId: uuid().references(() => users.id, { onDelete: 'set null' }),
    actorApiKeyId: uuid().references(() => apiKeys.id, { onDelete: 'set null' }),
    note: text(),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [
    index('alert_history_alert_idx').on(t.alertId, t.id),
    check('alert_history_to_status_check', sql.raw(`to_status IN (${inList(alertStatuses)})`)),
  ],
);

export const alertNotes = pgTable(
  'alert_notes',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: orgRef(),
    alertId: uuid()
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    authorUserId: uuid().references(() => users.id, { onDelete: 'set null' }),
    authorApiKeyId: uuid().references(() => apiKeys.id, { onDelete: 'set null' }),
    body: text().notNull(),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [index('alert_notes_alert_idx').on(t.alertId, t.createdAt)],
);

/** The analyzer's verdict per content hash, so the same content is never paid for twice. */
export const analysisCache = pgTable('analysis_cache', {
  contentHash: text().primaryKey(),
  analyzer: text().notNull(),
  verdict: jsonb().notNull(),
  createdAt: timestamptz().notNull().defaultNow(),
});
