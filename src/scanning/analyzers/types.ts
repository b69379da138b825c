import type { AlertCategory, Severity } from '../../db/schema/enums.ts';
import type { Explanation } from '../../db/schema/explanation.ts';

export type { CandidateFinding, JudgeSubject } from '../detection/subject.ts';

export interface Verdict {
  isThreat: boolean;
  category: AlertCategory;
  severity: Severity;
  confidence: number;
  rationale: string;
  /** Why: kept with the alert or the suppressed finding. Absent on verdicts cached before explanations. */
  explanation?: Explanation;
}
