import type { ThreatCategory } from '../../../db/schema/enums.ts';

/**
 * A named family of phrases. Phrases match at word boundaries on folded text (lowercase, no
 * accents); a trailing `*` matches any ending (`hack*`: hacked, hackers).
 */
export interface Cue {
  /** Shown in explanations. */
  name: string;
  /** The category this cue argues for, or none for context cues. */
  category: ThreatCategory | null;
  /** What it adds to its category; for a context cue, how strongly it weighs against a threat. */
  weight: number;
  phrases: readonly string[];
  /** Read by the rules in combination with other cues, never shown or scored on its own. */
  isQuiet?: boolean;
}
