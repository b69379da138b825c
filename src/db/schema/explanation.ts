/** Who decided a finding's verdict. */
export const explanationAnalyzers = ['rules', 'llm', 'filter', 'suppression_rule'] as const;
export type ExplanationAnalyzer = (typeof explanationAnalyzers)[number];

/** One piece of evidence the judge weighed, with how much it counted (0 to 1). */
export interface ExplanationSignal {
  name: string;
  weight: number;
}

/** Why a finding became an alert, or was dropped: stored with the alert or the finding. */
export interface Explanation {
  analyzer: ExplanationAnalyzer;
  /** The monitored term, profile name or look-alike that made the finding relevant. */
  matchedTerm: string | null;
  signals: ExplanationSignal[];
  /** Brand-profile entries that informed the verdict (`product: Acme Pay`). */
  profileEntries: string[];
  confidence: number | null;
  /** The LLM's one-line rationale when it decided; the rules' summary otherwise. */
  rationale: string | null;
}
