import { describe, expect, it } from 'vitest';
import { judgeWithRules } from '../../src/scanning/analyzers/rules.ts';
import { canonicalizeUrl, contentHash } from '../../src/scanning/canonical.ts';
import { compileSubject } from '../../src/scanning/detection/subject.ts';
import { DEMO_BENIGN, DEMO_THREATS, demoFindings, demoSource } from '../../src/scanning/sources/demo.ts';
import { completeProfile } from '../../src/services/brand-profile-shape.ts';
import { DEMO_MONITORS, DEMO_ORGANIZATION, DEMO_PROFILE } from '../../src/services/demo.ts';

const slug = (term: string) => term.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** What the rule engine (the judge without an LLM key) makes of a demo finding, for a demo monitor. */
function judgedAs(monitor: (typeof DEMO_MONITORS)[number], finding: { url: string; title: string; snippet: string }) {
  const compiled = compileSubject({
    organizationId: '00000000-0000-0000-0000-000000000003',
    organizationName: DEMO_ORGANIZATION.name,
    monitor,
    ownDomains: DEMO_ORGANIZATION.ownDomains,
    profile: completeProfile(DEMO_PROFILE),
  });
  const url = canonicalizeUrl(finding.url)!;
  const outcome = judgeWithRules({ source: 'demo', url, title: finding.title, snippet: finding.snippet, contentHash: contentHash(finding.title, finding.snippet, url) }, compiled);
  return outcome.isSuppressed || !outcome.verdict.isThreat ? null : outcome.verdict.category;
}

describe('the demo source', () => {
  const cases = DEMO_MONITORS.flatMap((monitor) => monitor.terms.map((term) => [monitor.name, term, monitor] as const));

  it.each(cases)('%s ("%s"): every threat template is judged a threat of its category, every benign one is not a threat', (_name, term, monitor) => {
    for (const template of [...DEMO_THREATS, ...DEMO_BENIGN]) {
      const finding = template.render(term, slug(term), 42);
      expect({ title: finding.title, judged: judgedAs(monitor, finding) }).toEqual({ title: finding.title, judged: template.category });
    }
  });

  it('shows a realistic mix: every category among the threats, and about as many findings that are not threats', () => {
    expect(new Set(DEMO_THREATS.map((t) => t.category))).toEqual(new Set(['phishing', 'impersonation', 'fraud', 'data_leak', 'negative_press', 'trademark', 'other']));
    const findings = demoFindings(['Acme', 'Acme Corp'], 'mix', 400);
    const judged = findings.map((f) => judgedAs(DEMO_MONITORS[0]!, f));
    const share = judged.filter((category) => category !== null).length / findings.length;
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
    expect(new Set(judged.filter((c) => c !== null))).toEqual(new Set(DEMO_THREATS.map((t) => t.category)));
  });

  it("every scan's new findings hold a threat, so a first scan always raises an alert", async () => {
    const monitor = DEMO_MONITORS[0]!;
    const config = { demoFindingsPerScan: 6 } as Parameters<typeof demoSource.fetch>[0]['config'];
    for (let scan = 0; scan < 300; scan += 1) {
      const id = `00000000-0000-4000-8000-${String(scan).padStart(12, '0')}`;
      const findings = await demoSource.fetch({ monitor: { ...monitor, id }, seed: `${id}:${scan}`, config } as Parameters<typeof demoSource.fetch>[0]);
      const newHalf = findings.slice(3);
      expect(newHalf.some((finding) => judgedAs(monitor, finding) !== null), `scan ${scan}`).toBe(true);
    }
  });
});
