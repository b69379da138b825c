import { threatCategories, type ThreatCategory } from '../db/schema/enums.ts';
import type { FindingOutcome } from './evaluate.ts';

export interface CategoryFigures {
  precision: number;
  recall: number;
  /** Threats labeled with this category. */
  labeled: number;
  /** Findings flagged with this category. */
  flagged: number;
}

export interface DetectionMetrics {
  findings: number;
  threats: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  f1: number;
  /** Of the true positives, the share filed under the labeled category. */
  categoryAccuracy: number;
  /** Of the true positives, the share given the labeled severity. */
  severityAgreement: number;
  /** Of the true positives, the share within one severity step of the label. */
  severityWithinOne: number;
  perCategory: Record<ThreatCategory, CategoryFigures>;
  /** Rows: the label (a category, or `none`); columns: Vigil's verdict (a category, or `none`). */
  confusion: Record<string, Record<string, number>>;
}

const SEVERITY_STEP = { low: 1, medium: 2, high: 3, critical: 4 } as const;

const ratio = (numerator: number, denominator: number) => (denominator === 0 ? 0 : numerator / denominator);
const round3 = (value: number) => Math.round(value * 1000) / 1000;

export function computeMetrics(outcomes: readonly FindingOutcome[]): DetectionMetrics {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let categoryRight = 0;
  let severityRight = 0;
  let severityNear = 0;
  const columns = ['none', ...threatCategories];
  const confusion = Object.fromEntries(columns.map((row) => [row, Object.fromEntries(columns.map((column) => [column, 0]))])) as Record<string, Record<string, number>>;
  for (const outcome of outcomes) {
    const { label } = outcome.finding;
    const row = label.isThreat ? label.category! : 'none';
    const column = outcome.isFlagged ? outcome.category! : 'none';
    confusion[row]![column]! += 1;
    if (label.isThreat && outcome.isFlagged) {
      tp += 1;
      if (outcome.category === label.category) categoryRight += 1;
      if (outcome.severity === label.severity) severityRight += 1;
      if (Math.abs(SEVERITY_STEP[outcome.severity!] - SEVERITY_STEP[label.severity!]) <= 1) severityNear += 1;
    } else if (outcome.isFlagged) fp += 1;
    else if (label.isThreat) fn += 1;
    else tn += 1;
  }
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  const perCategory = Object.fromEntries(
    threatCategories.map((category) => {
      const labeled = outcomes.filter((o) => o.finding.label.isThreat && o.finding.label.category === category).length;
      const flagged = outcomes.filter((o) => o.isFlagged && o.category === category).length;
      const right = confusion[category]![category]!;
      return [category, { precision: round3(ratio(right, flagged)), recall: round3(ratio(right, labeled)), labeled, flagged }];
    }),
  ) as Record<ThreatCategory, CategoryFigures>;
  return {
    findings: outcomes.length,
    threats: tp + fn,
    tp,
    fp,
    fn,
    tn,
    precision: round3(precision),
    recall: round3(recall),
    f1: round3(ratio(2 * precision * recall, precision + recall)),
    categoryAccuracy: round3(ratio(categoryRight, tp)),
    severityAgreement: round3(ratio(severityRight, tp)),
    severityWithinOne: round3(ratio(severityNear, tp)),
    perCategory,
    confusion,
  };
}

const pct = (value: number) => value.toFixed(3);

/** The human-readable report: figures, per-category table, confusion matrix, every miss and false alarm. */
export function formatReport(title: string, metrics: DetectionMetrics, outcomes: readonly FindingOutcome[], extra: string[] = []): string {
  const lines: string[] = [];
  lines.push(`== ${title}`);
  lines.push(`findings ${metrics.findings}, threats ${metrics.threats}: TP ${metrics.tp}  FP ${metrics.fp}  FN ${metrics.fn}  TN ${metrics.tn}`);
  lines.push(`precision ${pct(metrics.precision)}  recall ${pct(metrics.recall)}  F1 ${pct(metrics.f1)}`);
  lines.push(`category accuracy (of TP) ${pct(metrics.categoryAccuracy)}  severity agreement ${pct(metrics.severityAgreement)} (within one step ${pct(metrics.severityWithinOne)})`);
  lines.push(...extra);
  lines.push('', 'per category        precision  recall  labeled  flagged');
  for (const [category, figures] of Object.entries(metrics.perCategory)) {
    lines.push(`  ${category.padEnd(17)} ${pct(figures.precision).padStart(9)} ${pct(figures.recall).padStart(7)} ${String(figures.labeled).padStart(8)} ${String(figures.flagged).padStart(8)}`);
  }
  const columns = Object.keys(metrics.confusion);
  const short = (name: string) => name.replace('negative_press', 'press').replace('impersonation', 'imperson').replace('data_leak', 'leak').replace('trademark', 'tm').replace('phishing', 'phish');
  lines.push('', `confusion (rows: label, columns: verdict)`);
  lines.push(`  ${''.padEnd(15)}${columns.map((c) => short(c).padStart(9)).join('')}`);
  for (const row of columns) lines.push(`  ${row.padEnd(15)}${columns.map((c) => String(metrics.confusion[row]![c]).padStart(9)).join('')}`);
  const describe = (o: FindingOutcome) => `  ${o.finding.id} [${o.finding.source}] ${o.finding.url}\n      "${o.finding.title.slice(0, 100)}"\n      → ${o.reason.slice(0, 240)}`;
  const misses = outcomes.filter((o) => o.finding.label.isThreat && !o.isFlagged);
  const falseAlarms = outcomes.filter((o) => !o.finding.label.isThreat && o.isFlagged);
  const wrongCategory = outcomes.filter((o) => o.finding.label.isThreat && o.isFlagged && o.category !== o.finding.label.category);
  lines.push('', `misses (${misses.length}):`);
  for (const o of misses) lines.push(`${describe(o)}\n      labeled ${o.finding.label.category}/${o.finding.label.severity}`);
  lines.push('', `false alarms (${falseAlarms.length}):`);
  for (const o of falseAlarms) lines.push(`${describe(o)}\n      flagged ${o.category}/${o.severity}`);
  lines.push('', `wrong category (${wrongCategory.length}):`);
  for (const o of wrongCategory) lines.push(`${describe(o)}\n      labeled ${o.finding.label.category}/${o.finding.label.severity}, flagged ${o.category}/${o.severity}`);
  return lines.join('\n');
}
