import { JOB_CUT_VERBS, SEPARABLE_INCIDENTS } from './press.ts';
import { PERSONAL_FIELD_PHRASES } from '../exposure.ts';
import { BUY, MONEY_WORDS, OFFLINE_PHRASES, PAY, STYLE } from '../schemes.ts';
import type { Cue } from './cue.ts';

/**
 * The words each multi-word reading (schemes.ts, attribution.ts) starts from, as quiet cues: the
 * one pass of the cue index over a finding says whether any is present, and the reading runs only
 * then. They weigh nothing and are never shown.
 */
export const GATE_CUES: readonly Cue[] = [
  { name: 'pay or buy', category: null, weight: 0, isQuiet: true, phrases: [...PAY, ...BUY] },
  { name: 'currency word', category: null, weight: 0, isQuiet: true, phrases: MONEY_WORDS },
  { name: 'style word', category: null, weight: 0, isQuiet: true, phrases: [...STYLE] },
  { name: 'offline', category: null, weight: 0, isQuiet: true, phrases: ['offline', ...OFFLINE_PHRASES.map((phrase) => phrase.join(' '))] },
  { name: 'personal field word', category: null, weight: 0, isQuiet: true, phrases: PERSONAL_FIELD_PHRASES },
  { name: 'incident verb apart', category: null, weight: 0, isQuiet: true, phrases: [...SEPARABLE_INCIDENTS.map((verb) => verb.stem), ...JOB_CUT_VERBS] },
];
