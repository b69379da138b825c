import type { AlertCategory, AlertStatus, Severity, Source } from '../generated/graphql.ts';

export const STATUSES: AlertStatus[] = ['NEW', 'ACKNOWLEDGED', 'SNOOZED', 'RESOLVED', 'FALSE_POSITIVE'];
export const SEVERITIES: Severity[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
export const CATEGORIES: AlertCategory[] = ['PHISHING', 'IMPERSONATION', 'DATA_LEAK', 'FRAUD', 'NEGATIVE_PRESS', 'TRADEMARK', 'OTHER', 'SOURCE_HEALTH'];

/** `FALSE_POSITIVE` → `False positive`. */
export function label(value: string): string {
  const words = value.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

const SOURCE_NAMES: Record<Source, string> = { RSS: 'RSS feeds', HACKERNEWS: 'Hacker News', GOOGLE: 'Google Search', CERTSTREAM: 'Certificate transparency', DEMO: 'Demo' };

export function sourceLabel(source: Source): string {
  return SOURCE_NAMES[source] ?? label(source);
}
