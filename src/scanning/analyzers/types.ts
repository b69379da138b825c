import type { AlertCategory, Severity } from '../../db/schema/enums.ts';

export interface Verdict {
  isThreat: boolean;
  category: AlertCategory;
  severity: Severity;
  confidence: number;
  rationale: string;
}

export interface CandidateFinding {
  url: string;
  title: string;
  snippet: string;
  contentHash: string;
}

export interface MonitorProfile {
  kind: string;
  terms: readonly string[];
  excludeTerms: readonly string[];
  ownDomains: readonly string[];
}
