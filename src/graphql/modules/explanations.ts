import { explanationAnalyzers, type Explanation, type ExplanationSignal } from '../../db/schema/explanation.ts';
import type { AlertRow } from '../../services/alerts.ts';
import type { FindingRow } from '../../services/scans.ts';
import { builder } from '../builder.ts';
import { bounded } from '../connection.ts';
import { Alert } from './alerts.ts';
import { SuppressedFinding } from './scans.ts';

/* Why Vigil decided: every alert and every suppressed finding carries its explanation. */

/**
 * The most signals and profile entries an explanation shows. The rules weigh at most one signal
 * per cue and ten others (fewer than 40 today); a verdict names the profile entries the finding
 * mentions, which a large profile could make many. Beyond these limits the rest is left out.
 */
const MAX_SIGNALS = 50;
const MAX_PROFILE_ENTRIES = 50;

const ANALYZER_DESCRIPTIONS: Record<(typeof explanationAnalyzers)[number], string> = {
  rules: 'The rule engine decided (no LLM configured, or the LLM was unavailable).',
  llm: 'The LLM decided; `rationale` is its one-line reason.',
  filter: 'A deterministic filter dropped the finding before judging: an official asset, an excluded term, or no mention of the brand.',
  suppression_rule: 'One of the monitor’s suppression rules dropped the finding before judging.',
};

const ExplanationAnalyzerEnum = builder.enumType('ExplanationAnalyzer', {
  description: 'Who decided a verdict.',
  values: Object.fromEntries(explanationAnalyzers.map((value) => [value.toUpperCase(), { value, description: ANALYZER_DESCRIPTIONS[value] }])) as {
    [K in (typeof explanationAnalyzers)[number] as Uppercase<K>]: { value: K; description: string };
  },
});

const ExplanationSignalRef = builder.objectRef<ExplanationSignal>('ExplanationSignal').implement({
  description: 'One piece of evidence the judge weighed.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'What was seen, e.g. `look-alike domain (homoglyph): аcme.com imitates acme`.' }),
    weight: t.exposeFloat('weight', { description: 'How much it counted towards a threat; negative when it argued against one.' }),
  }),
});

export const ExplanationRef = builder.objectRef<Explanation>('Explanation').implement({
  description: 'Why a finding became an alert, or was dropped.',
  fields: (t) => ({
    analyzer: t.field({ type: ExplanationAnalyzerEnum, description: 'Who decided.', resolve: (e) => e.analyzer }),
    matchedTerm: t.string({
      nullable: true,
      description: 'What made the finding about the brand: a monitored term, a brand-profile entry, or a look-alike domain.',
      resolve: (e) => e.matchedTerm,
    }),
    signals: t.field({
      type: [ExplanationSignalRef],
      description: `The evidence the rules found, with weights, in the order they weighed it: the first ${MAX_SIGNALS}.`,
      ...bounded(MAX_SIGNALS),
      resolve: (e) => e.signals.slice(0, MAX_SIGNALS),
    }),
    profileEntries: t.stringList({
      description: `Brand-profile entries that informed the verdict, e.g. \`platform (hiring): https://jobs.example/acme\`: the first ${MAX_PROFILE_ENTRIES}.`,
      ...bounded(MAX_PROFILE_ENTRIES),
      resolve: (e) => e.profileEntries.slice(0, MAX_PROFILE_ENTRIES),
    }),
    confidence: t.float({ nullable: true, description: 'The deciding analyzer’s confidence, 0 to 1, when it gave one.', resolve: (e) => e.confidence }),
    rationale: t.string({ nullable: true, description: 'The LLM’s one-line rationale when it decided; the rules’ or filter’s summary otherwise.', resolve: (e) => e.rationale }),
  }),
});

builder.objectField(Alert, 'explanation', (t) =>
  t.field({
    type: ExplanationRef,
    nullable: true,
    description: 'Why the judge raised this alert; null for source-health alerts and alerts raised before explanations were kept.',
    resolve: (alert) => (alert as AlertRow).explanation ?? null,
  }),
);

builder.objectField(SuppressedFinding, 'explanation', (t) =>
  t.field({
    type: ExplanationRef,
    nullable: true,
    description: 'Why the finding was dropped, in detail (see `reason` for the summary); null for findings recorded before explanations were kept.',
    resolve: (finding) => (finding as FindingRow).explanation ?? null,
  }),
);
