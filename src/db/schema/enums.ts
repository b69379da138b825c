/**
 * Value sets shared by the database checks, the services and the GraphQL enums. Stored as text with
 * CHECK constraints rather than PostgreSQL enum types so adding a value is an ordinary migration.
 */
export const plans = ['free', 'pro', 'business'] as const;
export type PlanName = (typeof plans)[number];

export const roles = ['owner', 'admin', 'analyst', 'viewer'] as const;
export type Role = (typeof roles)[number];

export const monitorKinds = ['brand', 'domain', 'person', 'product', 'keyword'] as const;
export type MonitorKind = (typeof monitorKinds)[number];

export const monitorStatuses = ['active', 'paused'] as const;
export type MonitorStatus = (typeof monitorStatuses)[number];

export const sourceKinds = ['google', 'rss', 'hackernews', 'certstream', 'demo'] as const;
export type SourceKind = (typeof sourceKinds)[number];

export const frequencies = ['hourly', 'daily', 'weekly', 'interval'] as const;
export type Frequency = (typeof frequencies)[number];

/** What an analyzer may call a finding. */
export const threatCategories = [
  'phishing',
  'impersonation',
  'data_leak',
  'fraud',
  'negative_press',
  'trademark',
  'other',
] as const;
export type ThreatCategory = (typeof threatCategories)[number];

/** Threats, plus the alerts Vigil raises about its own sources failing or falling silent. */
export const alertCategories = [...threatCategories, 'source_health'] as const;
export type AlertCategory = (typeof alertCategories)[number];

export const severities = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof severities)[number];

/** Severities in order, as `alerts.severity_rank` stores them: "at least HIGH" is `rank >= 3`. */
export const SEVERITY_RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

export const alertStatuses = ['new', 'acknowledged', 'snoozed', 'resolved', 'false_positive'] as const;
export type AlertStatus = (typeof alertStatuses)[number];

export const scanTriggers = ['schedule', 'manual'] as const;
export type ScanTrigger = (typeof scanTriggers)[number];

export const scanStatuses = ['queued', 'running', 'succeeded', 'failed', 'skipped'] as const;
export type ScanStatus = (typeof scanStatuses)[number];

export const findingStatuses = ['new', 'analyzed', 'suppressed'] as const;
export type FindingStatus = (typeof findingStatuses)[number];

/** How a suppression rule recognises a finding: its host (and subdomains), or a URL glob. */
export const suppressionRuleKinds = ['domain', 'url_pattern'] as const;
export type SuppressionRuleKind = (typeof suppressionRuleKinds)[number];

export const ledgerReasons = ['grant', 'scan', 'refund', 'adjustment'] as const;
export type LedgerReason = (typeof ledgerReasons)[number];

export const webhookEvents = ['alert.created', 'alert.updated', 'scan.failed', 'digest.daily'] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

/** What a delivery can carry: the events above, plus the ping `testWebhook` sends. */
export const webhookDeliveryEvents = [...webhookEvents, 'webhook.test'] as const;
export type WebhookDeliveryEvent = (typeof webhookDeliveryEvents)[number];

export const deliveryStatuses = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** `CHECK (column IN (...))` text for one of the sets above. */
export function inList(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}
