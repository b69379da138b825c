import {
  alertCategories,
  alertStatuses,
  frequencies,
  monitorKinds,
  monitorStatuses,
  plans,
  roles,
  severities,
  sourceKinds,
  webhookDeliveryEvents,
  webhookEvents,
} from '../db/schema/enums.ts';
import { builder } from './builder.ts';

/**
 * GraphQL enums use SCREAMING_CASE names for the strings stored in the database (`false_positive`
 * → `FALSE_POSITIVE`, `alert.created` → `ALERT_CREATED`); every value says what it means.
 */
export function enumFrom<const T extends readonly string[]>(name: string, values: T, description: string, valueDescriptions: Record<T[number], string>) {
  return builder.enumType(name, {
    description,
    values: Object.fromEntries(
      values.map((value) => [value.toUpperCase().replace(/[^A-Z0-9]+/g, '_'), { value, description: valueDescriptions[value as T[number]] }]),
    ) as { [K in T[number] as Uppercase<K>]: { value: K; description: string } },
  });
}

export const RoleEnum = enumFrom('Role', roles, 'What a member or API key may do: owner ⊃ admin ⊃ analyst ⊃ viewer.', {
  owner: 'Everything an admin may do, plus adding owners and owner-role API keys.',
  admin: 'Manages monitors, members, API keys, webhooks and organization settings.',
  analyst: 'Triages alerts (status, notes), silences and suppression rules; scans monitors on request.',
  viewer: 'Reads everything of the organization except API keys and webhooks; changes nothing.',
});
export const PlanEnum = enumFrom('Plan', plans, "The organization's subscription plan; `limits` says what it allows.", {
  free: 'A few monitors, hourly scans at most, feeds and Hacker News.',
  pro: 'More monitors, scans every 15 minutes, every source.',
  business: 'The most monitors, scans every 5 minutes, every source.',
});
export const MonitorKindEnum = enumFrom('MonitorKind', monitorKinds, 'What a monitor watches.', {
  brand: 'A brand or company name.',
  domain: 'A domain name, and look-alikes of it.',
  person: 'A person, such as an executive.',
  product: 'A product name.',
  keyword: 'Any other term.',
});
export const MonitorStatusEnum = enumFrom('MonitorStatus', monitorStatuses, 'Whether a monitor is being scanned.', {
  active: 'Scanned on its schedule.',
  paused: 'Not scanned until resumed.',
});
export const SourceEnum = enumFrom('Source', sourceKinds, 'Where a monitor looks for findings.', {
  google: 'Google Programmable Search.',
  rss: 'RSS, Atom or JSON feeds (`feedUrls`), e.g. Google Alerts, Google News or Reddit searches.',
  hackernews: 'Hacker News search.',
  certstream: 'Certificate-transparency logs, for look-alike domains.',
  demo: 'Realistic findings generated offline. Only for the demo workspace, tests and benchmarks: `PlanLimits.sources` lists it only where it is enabled.',
});
export const FrequencyEnum = enumFrom('Frequency', frequencies, 'How often a monitor is scanned.', {
  hourly: 'Every 60 minutes.',
  daily: 'Every 1,440 minutes.',
  weekly: 'Every 10,080 minutes.',
  interval: 'Every `intervalMinutes` minutes, at least the plan’s `minIntervalMinutes`.',
});
export const AlertCategoryEnum = enumFrom('AlertCategory', alertCategories, 'What kind of threat an alert is.', {
  phishing: 'A page or message that harvests credentials or payments.',
  impersonation: 'Someone posing as the brand, a person or a product.',
  data_leak: 'Leaked data or credentials.',
  fraud: 'Scams and fraudulent offers using the brand.',
  negative_press: 'Damaging coverage or discussion.',
  trademark: 'Unauthorized use of a trademark.',
  other: 'A threat that fits no other category.',
  source_health: 'Raised by Vigil itself: a source of a monitor keeps failing or has fallen silent.',
});
export const SeverityEnum = enumFrom('Severity', severities, 'How bad a threat is, from LOW to CRITICAL.', {
  low: 'Worth knowing; no action needed soon.',
  medium: 'Needs a look within days.',
  high: 'Needs action soon.',
  critical: 'Needs action now.',
});
export const AlertStatusEnum = enumFrom('AlertStatus', alertStatuses, 'Where an alert is in triage.', {
  new: 'Not triaged yet (or reopened).',
  acknowledged: 'Someone is on it.',
  snoozed: 'Muted until `snoozedUntil`; a repeat after that reopens it.',
  resolved: 'Dealt with; a repeat reopens it.',
  false_positive: 'Not a threat.',
});

export const OrderDirectionEnum = builder.enumType('OrderDirection', {
  description: 'Which way an ordering runs.',
  values: {
    ASC: { value: 'asc', description: 'Smallest (or earliest, or A) first.' },
    DESC: { value: 'desc', description: 'Largest (or latest, or Z) first.' },
  } as const,
});

export const SuppressionRuleKindEnum = builder.enumType('SuppressionRuleKind', {
  description: 'How a suppression rule recognises a finding.',
  values: {
    DOMAIN: { value: 'domain', description: 'The finding’s host is the pattern or one of its subdomains.' },
    URL_PATTERN: { value: 'url_pattern', description: 'The finding’s canonical URL matches the pattern, where `*` matches anything.' },
  } as const,
});

const WEBHOOK_EVENT_DESCRIPTIONS = {
  'alert.created': 'A scan raised a new alert (`alert.created` on the wire).',
  'alert.updated': 'An alert changed status: triaged or reopened (`alert.updated`).',
  'scan.failed': 'A scan failed (`scan.failed`).',
  'digest.daily': 'The daily summary, for organizations that opted in (`digest.daily`).',
  'webhook.test': 'Only sent by `testWebhook`, to check a receiver (`webhook.test`); cannot be subscribed to.',
} as const;

export const WebhookEventEnum = enumFrom(
  'WebhookEvent',
  webhookEvents,
  'An event a webhook can subscribe to. The event name on the wire (header and body) is the lowercase dotted form, e.g. `alert.created`.',
  WEBHOOK_EVENT_DESCRIPTIONS,
);
export const WebhookDeliveryEventEnum = enumFrom(
  'WebhookDeliveryEvent',
  webhookDeliveryEvents,
  'The event a delivery carries: a `WebhookEvent`, or the test ping.',
  WEBHOOK_EVENT_DESCRIPTIONS,
);
