import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client.ts';
import { hostOf } from '../scanning/canonical.ts';
import { monitors, suppressionRules, type alerts } from '../db/schema/index.ts';
import { suppressionRuleKinds, type SuppressionRuleKind } from '../db/schema/enums.ts';
import { encodeGlobalId } from '../lib/global-id.ts';
import { ConflictError, NotFoundError, ValidationError } from './errors.ts';
import { paginate, paginateGroups, type Ordering, type Page, type PageArgs } from './pagination.ts';
import { parseInput } from './validation.ts';
import type { Viewer } from './viewer.ts';

export type SuppressionRuleRow = typeof suppressionRules.$inferSelect;

/** What a scan needs of a rule to drop a finding and say why. */
type SuppressionRuleMatcher = Pick<SuppressionRuleRow, 'id' | 'kind' | 'pattern' | 'sourceAlertId'>;

/** The monitor's rules, as the scanner reads them once per scan. */
export function loadMonitorSuppressionRules(db: DbOrTx, organizationId: string, monitorId: string): Promise<SuppressionRuleMatcher[]> {
  return db
    .select({ id: suppressionRules.id, kind: suppressionRules.kind, pattern: suppressionRules.pattern, sourceAlertId: suppressionRules.sourceAlertId })
    .from(suppressionRules)
    .where(and(eq(suppressionRules.organizationId, organizationId), eq(suppressionRules.monitorId, monitorId)))
    .orderBy(asc(suppressionRules.createdAt), asc(suppressionRules.id));
}

/** `*` matches any run of characters; everything else is literal. The whole URL must match. */
function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 'i');
}

const compiled = new Map<string, RegExp>();

function ruleMatches(rule: { kind: SuppressionRuleKind; pattern: string }, canonicalUrl: string): boolean {
  if (rule.kind === 'domain') {
    const host = hostOf(canonicalUrl);
    const domain = rule.pattern.toLowerCase();
    return host === domain || host.endsWith(`.${domain}`);
  }
  let regexp = compiled.get(rule.pattern);
  if (!regexp) {
    regexp = globToRegExp(rule.pattern);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(rule.pattern, regexp);
  }
  return regexp.test(canonicalUrl);
}

/** The first rule (oldest) that drops this finding, if any. */
export function findMatchingRule<R extends SuppressionRuleMatcher>(rules: readonly R[], canonicalUrl: string): R | undefined {
  return rules.find((rule) => ruleMatches(rule, canonicalUrl));
}

/** The "why suppressed" text a finding dropped by `rule` carries, also after the rule is removed. */
export function suppressionReason(rule: SuppressionRuleMatcher): string {
  const what = rule.kind === 'domain' ? `domain ${rule.pattern}` : `URL pattern ${rule.pattern}`;
  const learned = rule.sourceAlertId ? ' (learned from an alert marked false positive)' : '';
  return `suppression rule ${rule.id}: ${what}${learned}`;
}

const MAX_RULES_PER_MONITOR = 200;
const HOST_PATTERN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

const createRuleSchema = z
  .object({
    monitorId: z.uuid(),
    kind: z.enum(suppressionRuleKinds),
    pattern: z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters'),
  })
  .transform((input) => ({ ...input, pattern: input.kind === 'domain' ? input.pattern.toLowerCase().replace(/\.$/, '') : input.pattern }))
  .superRefine((input, ctx) => {
    if (input.kind === 'domain' && !HOST_PATTERN.test(input.pattern)) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'must be a host name such as login.example.com (it also matches its subdomains)' });
    }
    if (input.kind === 'url_pattern' && !/^https?:\/\/[^*/]+/i.test(input.pattern)) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'must start with http:// or https:// and a literal host; * matches anything after that' });
    }
  });
export type CreateSuppressionRuleInput = z.input<typeof createRuleSchema>;

async function insertRules(
  db: DbOrTx,
  viewer: Viewer,
  rules: { monitorId: string; kind: SuppressionRuleKind; pattern: string; sourceAlertId: string | null }[],
): Promise<SuppressionRuleRow[]> {
  const monitorIds = [...new Set(rules.map((r) => r.monitorId))];
  const counts = await db
    .select({ monitorId: monitors.id, rules: sql<number>`(select count(*)::int from suppression_rules r where r.monitor_id = ${monitors.id})` })
    .from(monitors)
    .where(and(eq(monitors.organizationId, viewer.organizationId), inArray(monitors.id, monitorIds)))
    .for('update', { of: monitors });
  for (const monitorId of monitorIds) {
    const row = counts.find((c) => c.monitorId === monitorId);
    if (!row) throw new NotFoundError('Monitor', monitorId);
    const adding = rules.filter((r) => r.monitorId === monitorId).length;
    if (row.rules + adding > MAX_RULES_PER_MONITOR) {
      throw ValidationError.single(['input', 'monitorId'], `a monitor may have at most ${MAX_RULES_PER_MONITOR} suppression rules; remove some first`);
    }
  }
  return db
    .insert(suppressionRules)
    .values(rules.map((rule) => ({ ...rule, organizationId: viewer.organizationId, createdByUserId: viewer.userId, createdByApiKeyId: viewer.apiKeyId })))
    .onConflictDoNothing({ target: [suppressionRules.organizationId, suppressionRules.monitorId, suppressionRules.kind, suppressionRules.pattern] })
    .returning();
}

/** A rule written by hand: later findings of the monitor that match are dropped before analysis. */
export async function createSuppressionRule(db: DbOrTx, viewer: Viewer, input: CreateSuppressionRuleInput): Promise<SuppressionRuleRow> {
  const data = parseInput(createRuleSchema, input);
  const [rule] = await insertRules(db, viewer, [{ ...data, sourceAlertId: null }]);
  if (!rule) throw new ConflictError(`This monitor already has the ${data.kind} rule ${data.pattern}`);
  return rule;
}

/** What a false positive teaches: its host, or its URL (without query) and anything under it. */
function patternFromUrl(kind: SuppressionRuleKind, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (kind === 'domain') return parsed.hostname.toLowerCase();
  return `${parsed.origin}${parsed.pathname}*`;
}

/**
 * Called as alerts are marked false positive with `learn`: one rule per alert's monitor and pattern,
 * in the caller's transaction. A rule that already exists is kept as it is.
 */
export async function learnFromFalsePositives(
  tx: DbOrTx,
  viewer: Viewer,
  marked: readonly Pick<typeof alerts.$inferSelect, 'id' | 'monitorId' | 'url'>[],
  kind: SuppressionRuleKind,
): Promise<void> {
  const rules = marked.map((alert) => {
    const pattern = alert.url ? patternFromUrl(kind, alert.url) : null;
    if (!pattern) throw ValidationError.single(['input', 'learn'], `alert ${encodeGlobalId('Alert', alert.id)} has no URL to learn a ${kind === 'domain' ? 'domain' : 'URL pattern'} from`);
    return { monitorId: alert.monitorId, kind, pattern, sourceAlertId: alert.id };
  });
  await insertRules(tx, viewer, rules);
}

export async function deleteSuppressionRule(db: DbOrTx, viewer: Viewer, id: string): Promise<SuppressionRuleRow> {
  const [rule] = await db
    .delete(suppressionRules)
    .where(and(eq(suppressionRules.id, id), eq(suppressionRules.organizationId, viewer.organizationId)))
    .returning();
  if (!rule) throw new NotFoundError('SuppressionRule', id);
  return rule;
}

/** The organization's rules, oldest first, optionally of some monitors only. */
const ruleOrdering: Ordering = {
  name: 'suppressionRules.oldest',
  direction: 'asc',
  keys: [
    { column: suppressionRules.createdAt, type: 'timestamptz' },
    { column: suppressionRules.id, type: 'uuid' },
  ],
};

/** The organization's rules (of some monitors only, if given), oldest first. */
export function listSuppressionRules(db: DbOrTx, organizationId: string, monitorIds: readonly string[] | null, args: PageArgs): Promise<Page<SuppressionRuleRow>> {
  return paginate(args, ruleOrdering, ({ seek, orderBy, limit, cursor }) =>
    db
      .select({ rule: suppressionRules, cursor })
      .from(suppressionRules)
      .where(
        and(
          eq(suppressionRules.organizationId, organizationId),
          monitorIds?.length ? inArray(suppressionRules.monitorId, [...monitorIds]) : undefined,
          seek,
        ),
      )
      .orderBy(...orderBy)
      .limit(limit)
      .then((rows) => rows.map((row) => ({ ...row.rule, cursor: row.cursor }))),
  );
}

/** The same page of the rules of each monitor, oldest first, in one statement. */
export function listMonitorsSuppressionRules(
  db: DbOrTx,
  organizationId: string,
  monitorIds: readonly string[],
  args: PageArgs,
): Promise<Map<string, Page<SuppressionRuleRow>>> {
  return paginateGroups(db, args, ruleOrdering, {
    table: suppressionRules,
    groupColumn: suppressionRules.monitorId,
    groupIds: monitorIds,
    where: eq(suppressionRules.organizationId, organizationId),
  });
}

export function loadSuppressionRules(db: DbOrTx, organizationId: string, ids: readonly string[]): Promise<SuppressionRuleRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(suppressionRules)
    .where(and(eq(suppressionRules.organizationId, organizationId), inArray(suppressionRules.id, [...ids])));
}
