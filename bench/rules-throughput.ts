/**
 * Rules throughput per finding: the rule engine (what a scan runs for every new finding when no
 * LLM is configured, and as the fallback when one is) over a labeled data set, against the rule
 * engine of an earlier commit on the same findings, in the same process, interleaved.
 *
 *   npm run bench:rules -- test/fixtures/detection/dev-set.json [--baseline-commit SHA] [--rounds 30] [--scan-size 6] [--cold-compile]
 *
 * Subjects are compiled once per process and content (a worker rescans the same monitors);
 * --cold-compile forgets them before every compile, to price a first scan.
 *
 * The baseline is taken with `git archive` into a temporary folder (its rules import only
 * local files), so nothing in the work tree changes. Bounded by --rounds; exits by itself.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readDataset, SOURCE_OF } from '../src/evaluation/dataset.ts';
import { judgeWithRules } from '../src/scanning/analyzers/rules.ts';
import { canonicalizeUrl, contentHash } from '../src/scanning/canonical.ts';
import { compileSubject, forgetCompiledSubjects, readFinding, type CandidateFinding } from '../src/scanning/detection/subject.ts';
import { completeProfile } from '../src/services/brand-profile-shape.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'baseline-commit': { type: 'string' }, rounds: { type: 'string', default: '30' }, 'scan-size': { type: 'string', default: '6' }, 'cold-compile': { type: 'boolean', default: false } },
});
const file = positionals[0];
if (!file) {
  console.error('usage: npm run bench:rules -- DATASET.json [--baseline-commit SHA] [--rounds N] [--scan-size N] [--cold-compile]');
  process.exit(2);
}
const rounds = Number(values.rounds);
const scanSize = Number(values['scan-size']);
const dataset = readDataset(file);

interface Work {
  monitor: { name: string; kind: string; terms: string[]; excludeTerms: string[] };
  organization: (typeof dataset.organizations)[number];
  findings: CandidateFinding[];
}
const work: Work[] = dataset.organizations.flatMap((organization) =>
  organization.monitors.map((monitor) => {
    const terms = monitor.domain && !monitor.terms.includes(monitor.domain) ? [...monitor.terms, monitor.domain] : monitor.terms;
    return {
      organization,
      monitor: { name: monitor.name, kind: monitor.kind, terms, excludeTerms: monitor.excludeTerms },
      findings: dataset.findings
        .filter((f) => f.monitorId === monitor.id)
        .flatMap((f) => {
          const url = canonicalizeUrl(f.url);
          return url ? [{ source: SOURCE_OF[f.source], url, title: f.title, snippet: f.snippet, contentHash: contentHash(f.title, f.snippet, url) }] : [];
        }),
    };
  }),
);
const total = work.reduce((sum, w) => sum + w.findings.length, 0);

/** Today's engine, as a scan runs it: the subject compiled once per scan of `scanSize` findings. */
function runCurrent(): number {
  let threats = 0;
  for (const w of work) {
    for (let start = 0; start < w.findings.length; start += scanSize) {
      if (values['cold-compile']) forgetCompiledSubjects();
      const compiled = compileSubject({
        organizationId: w.organization.id,
        organizationName: w.organization.name,
        monitor: w.monitor,
        ownDomains: w.organization.ownDomains,
        profile: completeProfile(w.organization.profile),
      });
      for (const finding of w.findings.slice(start, start + scanSize)) {
        const outcome = judgeWithRules(finding, compiled, readFinding(finding, compiled));
        if (!outcome.isSuppressed && outcome.verdict.isThreat) threats += 1;
      }
    }
  }
  return threats;
}

type BaselineJudge = (finding: { url: string; title: string; snippet: string; contentHash: string }, profile: { kind: string; terms: readonly string[]; excludeTerms: readonly string[]; ownDomains: readonly string[] }) => { isSuppressed: boolean; verdict?: { isThreat: boolean } };

async function loadBaseline(commit: string): Promise<{ run: () => number; cleanup: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-rules-baseline-'));
  const archive = execFileSync('git', ['archive', commit, 'src/scanning', 'src/db/schema/enums.ts']);
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  const module = (await import(path.join(dir, 'src/scanning/analyzers/rules.ts'))) as { judgeWithRules: BaselineJudge };
  return {
    run: () => {
      let threats = 0;
      for (const w of work) {
        const profile = { kind: w.monitor.kind, terms: w.monitor.terms, excludeTerms: w.monitor.excludeTerms, ownDomains: w.organization.ownDomains };
        for (const finding of w.findings) {
          const outcome = module.judgeWithRules(finding, profile);
          if (!outcome.isSuppressed && outcome.verdict?.isThreat) threats += 1;
        }
      }
      return threats;
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Wall time and CPU time (this process's user + system) of one round, per finding, in µs. */
function timeIt(run: () => number): { wall: number; cpu: number } {
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  run();
  const wall = Number(process.hrtime.bigint() - started) / 1e3 / total;
  const cpu = process.cpuUsage(cpuBefore);
  return { wall, cpu: (cpu.user + cpu.system) / total };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const baseline = values['baseline-commit'] ? await loadBaseline(values['baseline-commit']) : undefined;
try {
  // Warm-up: JIT, regex compilation, module-level tables.
  for (let i = 0; i < 3; i += 1) {
    runCurrent();
    baseline?.run();
  }
  const current: { wall: number; cpu: number }[] = [];
  const before: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < rounds; i += 1) {
    current.push(timeIt(runCurrent));
    if (baseline) before.push(timeIt(baseline.run));
  }
  console.log(`findings: ${total} (${work.length} monitors), rounds: ${rounds}, subject compiled once per ${scanSize} findings${values['cold-compile'] ? ', cold' : ''}`);
  // CPU time counts what this process ran, not the time it waited for a core: on a shared machine it moves less with the load.
  for (const clock of ['wall', 'cpu'] as const) {
    const mine = current.map((round) => round[clock]);
    console.log(`current rules (${clock}): median ${median(mine).toFixed(2)} µs per finding`);
    if (!baseline) continue;
    const theirs = before.map((round) => round[clock]);
    console.log(`baseline ${values['baseline-commit']} (${clock}): median ${median(theirs).toFixed(2)} µs per finding`);
    // Each round times both engines back to back, so a round's ratio shares that moment's load; their median resists drift.
    console.log(`current / baseline (${clock}): ${(median(mine) / median(theirs)).toFixed(2)}, median of per-round ratios ${median(mine.map((c, i) => c / theirs[i]!)).toFixed(2)}`);
  }
} finally {
  baseline?.cleanup();
}
