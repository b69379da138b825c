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
} from '../db/schema/enums.ts';
import { builder } from './builder.ts';

/** GraphQL enums use SCREAMING_CASE names whose values are the lowercase strings stored in the database. */
function enumFrom<const T extends readonly string[]>(name: string, values: T, description: string) {
  return builder.enumType(name, {
    description,
    values: Object.fromEntries(values.map((value) => [value.toUpperCase(), { value }])) as {
      [K in T[number] as Uppercase<K>]: { value: K };
    },
  });
}

export const RoleEnum = enumFrom('Role', roles, 'What a member or API key may do: owner ⊃ admin ⊃ analyst ⊃ viewer.');
export const PlanEnum = enumFrom('Plan', plans, "The organization's subscription plan.");
export const MonitorKindEnum = enumFrom('MonitorKind', monitorKinds, 'What a monitor watches.');
export const MonitorStatusEnum = enumFrom('MonitorStatus', monitorStatuses, 'Whether a monitor is being scanned.');
export const SourceEnum = enumFrom('Source', sourceKinds, 'Where a monitor looks for findings.');
export const FrequencyEnum = enumFrom('Frequency', frequencies, 'How often a monitor is scanned; INTERVAL uses `intervalMinutes`.');
export const AlertCategoryEnum = enumFrom('AlertCategory', alertCategories, 'What kind of threat an alert is.');
export const SeverityEnum = enumFrom('Severity', severities, 'How bad a threat is, from LOW to CRITICAL.');
export const AlertStatusEnum = enumFrom('AlertStatus', alertStatuses, 'Where an alert is in triage.');

export const OrderDirectionEnum = builder.enumType('OrderDirection', {
  values: { ASC: { value: 'asc' }, DESC: { value: 'desc' } } as const,
});

export const SuppressionRuleKindEnum = builder.enumType('SuppressionRuleKind', {
  description: 'How a suppression rule recognises a finding.',
  values: {
    DOMAIN: { value: 'domain', description: 'The finding’s host is the pattern or one of its subdomains.' },
    URL_PATTERN: { value: 'url_pattern', description: 'The finding’s canonical URL matches the pattern, where `*` matches anything.' },
  } as const,
});
