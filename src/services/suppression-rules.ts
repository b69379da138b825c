import { and, asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { suppressionRules } from '../db/schema/index.ts';
import type { SuppressionRuleKind } from '../db/schema/enums.ts';

export type SuppressionRuleRow = typeof suppressionRules.$inferSelect;

/** What a scan needs of a rule to drop a finding and say why. */
export type SuppressionRuleMatcher = Pick<SuppressionRuleRow, 'id' | 'kind' | 'pattern' | 'sourceAlertId'>;

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

export function ruleMatches(rule: { kind: SuppressionRuleKind; pattern: string }, canonicalUrl: string): boolean {
  if (rule.kind === 'domain') {
    let host: string;
    try {
      host = new URL(canonicalUrl).hostname.toLowerCase();
    } catch {
      return false;
    }
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
