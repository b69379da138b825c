import { foldText } from '../matching.ts';
import type { Cue } from './cues/cue.ts';
import { CONTEXT_CUES } from './cues/context.ts';
import { PRESS_CUES } from './cues/press.ts';
import { THREAT_CUES } from './cues/threats.ts';

export type { Cue } from './cues/cue.ts';

/**
 * Every cue the rules read: what a finding asks or offers (`cues/threats.ts`), incidents press can
 * attribute (`cues/press.ts`), and who is speaking (`cues/context.ts`). These are intents, not
 * brands or stories; a phrase belongs in them when it says the same thing about any organization.
 */
export const CUES: readonly Cue[] = [...THREAT_CUES, ...PRESS_CUES, ...CONTEXT_CUES];

/** Words as the matcher sees them: folded text split on anything that is not a letter or digit. */
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

export function words(folded: string): string[] {
  // One pass over the characters: ASCII decided by code, only other characters (rare once text is
  // folded: dashes, quotes, ß, other scripts) by a Unicode class test. A regex split is slower.
  const result: string[] = [];
  let start = -1;
  for (let i = 0; i <= folded.length; i += 1) {
    const code = i < folded.length ? folded.charCodeAt(i) : 32;
    const isWordChar = code < 128 ? (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90) : LETTER_OR_DIGIT.test(folded[i]!);
    if (isWordChar) {
      if (start === -1) start = i;
    } else if (start !== -1) {
      result.push(folded.slice(start, i));
      start = -1;
    }
  }
  return result;
}

interface Phrase {
  cue: string;
  text: string;
  /** The phrase's words after the first. */
  rest: string[];
  /** The last word may continue (`hack*`: hacked, hackers). */
  isPrefix: boolean;
}

/**
 * Every phrase indexed by its first word (and, for one-word prefixes, by that prefix), built once
 * per process: matching is one pass over a finding's words with a map look-up each, however many
 * phrases there are, instead of one regular expression per phrase.
 */
const BY_FIRST_WORD = new Map<string, Phrase[]>();
const BY_PREFIX = new Map<string, Phrase[]>();
for (const cue of CUES) {
  for (const raw of cue.phrases) {
    const isPrefix = raw.endsWith('*');
    const phraseWords = words(foldText(isPrefix ? raw.slice(0, -1) : raw));
    if (phraseWords.length === 0) continue;
    const phrase: Phrase = { cue: cue.name, text: raw.replace(/\*$/, ''), rest: phraseWords.slice(1), isPrefix };
    const index = isPrefix && phraseWords.length === 1 ? BY_PREFIX : BY_FIRST_WORD;
    const list = index.get(phraseWords[0]!) ?? [];
    list.push(phrase);
    index.set(phraseWords[0]!, list);
  }
}
const PREFIX_LENGTHS = [...new Set([...BY_PREFIX.keys()].map((key) => key.length))].sort((a, b) => a - b);
const SHORTEST_PREFIX = PREFIX_LENGTHS[0] ?? 1;
/** The first characters of every prefix phrase: most words start with none of them and skip the prefix look-ups. */
const PREFIX_STARTS = new Set([...BY_PREFIX.keys()].map((key) => key.slice(0, SHORTEST_PREFIX)));

function matchesAt(tokens: readonly string[], at: number, phrase: Phrase): boolean {
  for (let k = 0; k < phrase.rest.length; k += 1) {
    const token = tokens[at + 1 + k];
    const expected = phrase.rest[k]!;
    if (token === undefined) return false;
    const isLast = k === phrase.rest.length - 1;
    if (isLast && phrase.isPrefix ? !token.startsWith(expected) : token !== expected) return false;
  }
  return true;
}

/** The phrases of each cue that occur in a finding's words. */
export function matchCues(tokens: readonly string[]): Map<string, string[]> {
  const hits = new Map<string, string[]>();
  const record = (phrase: Phrase) => {
    const list = hits.get(phrase.cue);
    if (!list) hits.set(phrase.cue, [phrase.text]);
    else if (!list.includes(phrase.text)) list.push(phrase.text);
  };
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    const candidates = BY_FIRST_WORD.get(token);
    if (candidates) for (const phrase of candidates) if (matchesAt(tokens, i, phrase)) record(phrase);
    if (token.length < SHORTEST_PREFIX || !PREFIX_STARTS.has(token.slice(0, SHORTEST_PREFIX))) continue;
    for (const length of PREFIX_LENGTHS) {
      if (length > token.length) break;
      const prefixed = BY_PREFIX.get(token.slice(0, length));
      if (prefixed) for (const phrase of prefixed) record(phrase);
    }
  }
  return hits;
}
