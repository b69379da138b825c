import type { PlanName, SourceKind } from '../db/schema/enums.ts';

export interface Plan {
  name: PlanName;
  maxMonitors: number;
  /** Shortest scan interval a monitor on this plan may use. */
  minIntervalMinutes: number;
  /** Sources offered to regular organizations on this plan (the demo source never is). */
  sources: readonly SourceKind[];
  retentionDays: number;
  monthlyCredits: number;
}

export const PLANS: Record<PlanName, Plan> = {
  free: {
    name: 'free',
    maxMonitors: 5,
    minIntervalMinutes: 60,
    sources: ['rss', 'hackernews'],
    retentionDays: 30,
    monthlyCredits: 1_000,
  },
  pro: {
    name: 'pro',
    maxMonitors: 50,
    minIntervalMinutes: 15,
    sources: ['rss', 'hackernews', 'google', 'certstream'],
    retentionDays: 180,
    monthlyCredits: 20_000,
  },
  business: {
    name: 'business',
    maxMonitors: 500,
    minIntervalMinutes: 5,
    sources: ['rss', 'hackernews', 'google', 'certstream'],
    retentionDays: 365,
    monthlyCredits: 200_000,
  },
};

export function planFor(name: PlanName): Plan {
  return PLANS[name];
}

/** What one organization may do: its plan, plus the demo source where the organization allows it. */
export function limitsFor(organization: { plan: PlanName; allowsDemoSource: boolean }): Plan {
  const plan = planFor(organization.plan);
  return organization.allowsDemoSource ? { ...plan, sources: [...plan.sources, 'demo'] } : plan;
}
