/**
 * What a labeled data set holds: findings, threats and negatives by category, severity, source,
 * language, split and organization. Writes test/fixtures/detection/STATS.txt for the dev set:
 *
 *   node scripts/detection-set-stats.ts test/fixtures/detection/dev-set.json > test/fixtures/detection/STATS.txt
 *
 * The file is named relative to the repository, so the output is the same on every machine.
 */
import path from 'node:path';
import { severities } from '../src/db/schema/enums.ts';
import { readDataset, type LabeledFinding } from '../src/evaluation/dataset.ts';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/detection-set-stats.ts DATASET.json');
  process.exit(2);
}
const repository = path.resolve(import.meta.dirname, '..');
const dataset = readDataset(file);
const findings = dataset.findings;
const isThreat = (f: LabeledFinding) => f.label.isThreat;
const percent = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)}%`;

function countBy(list: readonly LabeledFinding[], key: (f: LabeledFinding) => string | null): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of list) {
    const value = key(f);
    if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return counts;
}
const listed = (counts: Map<string, number>, order: 'key' | 'count' = 'key') =>
  [...counts]
    .sort(order === 'key' ? ([a], [b]) => a.localeCompare(b) : ([, a], [, b]) => b - a)
    .map(([k, n]) => `${k}=${n}`)
    .join(', ');

const organizationOf = new Map(dataset.organizations.flatMap((o) => o.monitors.map((m) => [m.id, o] as const)));
const threats = findings.filter(isThreat);
const negatives = findings.length - threats.length;
const lines: string[] = [];
lines.push(`file: ${path.relative(repository, path.resolve(file))}`);
lines.push(`total findings: ${findings.length}`);
lines.push(`threats: ${threats.length}`);
lines.push(`negatives (not threats): ${negatives} (${percent(negatives, findings.length)})`);
lines.push(`threats per category: ${listed(countBy(threats, (f) => f.label.category))}`);
const bySeverity = countBy(threats, (f) => f.label.severity);
lines.push(`threats per severity: ${[...severities].reverse().filter((s) => bySeverity.has(s)).map((s) => `${s}=${bySeverity.get(s)}`).join(', ')}`);
lines.push(`per source: ${listed(countBy(findings, (f) => f.source), 'count')}`);
const languages = [...countBy(findings, (f) => f.lang ?? 'unknown')].sort(([, a], [, b]) => b - a);
lines.push(
  `per language: ${languages
    .map(([lang, n]) => {
      const threatsIn = threats.filter((f) => (f.lang ?? 'unknown') === lang).length;
      return `${lang}=${n} (threats ${threatsIn}, negatives ${n - threatsIn})`;
    })
    .join(', ')}`,
);
const nonEnglish = findings.filter((f) => f.lang !== undefined && f.lang !== 'en').length;
lines.push(`non-English: ${nonEnglish} (${percent(nonEnglish, findings.length)})`);
const splitOf = (f: LabeledFinding) => organizationOf.get(f.monitorId)?.split ?? 'dev';
const perSplit = countBy(findings, splitOf);
lines.push(`per split: ${[...perSplit].map(([split, n]) => `${split}=${n} (${percent(n, findings.length)})`).join(', ')}`);
lines.push('per organization:');
for (const organization of dataset.organizations) {
  const own = findings.filter((f) => organizationOf.get(f.monitorId) === organization);
  const ownThreats = own.filter(isThreat).length;
  const profile = organization.profile ? '' : ', no brand profile';
  lines.push(`  ${organization.id} (${organization.sector ?? 'no sector'}, ${organization.split}${profile}): ${own.length} findings, ${ownThreats} threats, ${own.length - ownThreats} negatives`);
}
const certificates = findings.filter((f) => f.source === 'ct_log');
lines.push(`ct_log findings: ${certificates.length} (threats ${certificates.filter(isThreat).length}, not threats ${certificates.length - certificates.filter(isThreat).length})`);
const idn = findings.filter((f) => f.url.includes('xn--'));
lines.push(`IDN (xn--) findings: ${idn.length} (${listed(countBy(idn, (f) => f.source))})`);
console.log(lines.join('\n'));
