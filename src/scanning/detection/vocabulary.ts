import { foldText } from '../matching.ts';
import type { Cue } from './cues/cue.ts';
import { CONTEXT_CUES } from './cues/context.ts';
import { GATE_CUES } from './cues/gates.ts';
import { PRESS_CUES } from './cues/press.ts';
import { THREAT_CUES } from './cues/threats.ts';
import { ADDITIONS } from './cues/languages/additions.ts';
import { withPhrases } from './cues/languages/merge.ts';
import { DUTCH } from './cues/languages/nl.ts';
import { ITALIAN } from './cues/languages/it.ts';
import { POLISH } from './cues/languages/pl.ts';
import { TURKISH } from './cues/languages/tr.ts';

export type { Cue } from './cues/cue.ts';

/**
 * Every cue the rules read: what a finding asks or offers (`cues/threats.ts`), incidents press can
 * attribute (`cues/press.ts`), who is speaking (`cues/context.ts`), and the words multi-word
 * readings start from (`cues/gates.ts`), in English, Spanish, French, German and Portuguese there,
 * and in Italian, Dutch, Polish and Turkish in `cues/languages/`. These are intents, not brands or
 * stories; a phrase belongs in them when it says the same thing about any organization.
 */
export const CUES: readonly Cue[] = withPhrases([...THREAT_CUES, ...PRESS_CUES, ...CONTEXT_CUES, ...GATE_CUES], [ADDITIONS, ITALIAN, DUTCH, POLISH, TURKISH]);

/** Words as the matcher sees them: folded text split on anything that is not a letter or digit. */
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
/** For each UTF-16 code unit above ASCII: 0 not yet known, 1 a letter or digit, 2 not. Filled as met. */
const WORD_UNITS = new Uint8Array(0x10000);

function isWordUnit(folded: string, i: number, code: number): boolean {
  let known = WORD_UNITS[code]!;
  if (known === 0) WORD_UNITS[code] = known = LETTER_OR_DIGIT.test(folded[i]!) ? 1 : 2;
  return known === 1;
}

export function words(folded: string): string[] {
  // One pass over the characters: ASCII decided by code, only other characters (rare once text is
  // folded: dashes, quotes, ß, other scripts) by a Unicode class test. A regex split is slower.
  const result: string[] = [];
  let start = -1;
  for (let i = 0; i <= folded.length; i += 1) {
    const code = i < folded.length ? folded.charCodeAt(i) : 32;
    const isWordChar = code < 128 ? (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90) : isWordUnit(folded, i, code);
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
const SHORTEST_PREFIX = Math.min(...[...BY_PREFIX.keys()].map((key) => key.length));
/**
 * Prefix phrases by their first characters, shortest prefix first: a word looks up its first
 * characters once (most words start like no prefix) and then tests only the prefixes that start so.
 */
const PREFIXES_BY_START = new Map<string, { prefix: string; phrases: Phrase[] }[]>();
for (const [prefix, phrases] of [...BY_PREFIX].sort(([a], [b]) => a.length - b.length)) {
  const start = prefix.slice(0, SHORTEST_PREFIX);
  PREFIXES_BY_START.set(start, [...(PREFIXES_BY_START.get(start) ?? []), { prefix, phrases }]);
}

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

/** What the index holds for one word: the phrases it starts, and the prefix phrases it matches on its own. */
interface WordEntry {
  starts: readonly Phrase[] | undefined;
  prefixed: readonly Phrase[];
}
const NOTHING: WordEntry = { starts: undefined, prefixed: [] };

/**
 * Each word met so far, with its entry: words recur across findings ("the", the brand, "login"),
 * so most look-ups are one map access. Bounded; past the bound, new words are looked up each time.
 */
const WORDS_MET = new Map<string, WordEntry>();
const WORDS_KEPT = 100_000;

function entryOf(token: string): WordEntry {
  const known = WORDS_MET.get(token);
  if (known) return known;
  const starts = BY_FIRST_WORD.get(token);
  const prefixed: Phrase[] = [];
  const prefixes = token.length >= SHORTEST_PREFIX ? PREFIXES_BY_START.get(token.slice(0, SHORTEST_PREFIX)) : undefined;
  if (prefixes) for (const { prefix, phrases } of prefixes) if (token.startsWith(prefix)) prefixed.push(...phrases);
  const entry = starts || prefixed.length > 0 ? { starts, prefixed } : NOTHING;
  if (WORDS_MET.size < WORDS_KEPT) WORDS_MET.set(token, entry);
  return entry;
}

function record(hits: Map<string, string[]>, phrase: Phrase): void {
  const list = hits.get(phrase.cue);
  if (!list) hits.set(phrase.cue, [phrase.text]);
  else if (!list.includes(phrase.text)) list.push(phrase.text);
}

/** The phrases of each cue that occur in a finding's words. */
export function matchCues(tokens: readonly string[]): Map<string, string[]> {
  const hits = new Map<string, string[]>();
  for (let i = 0; i < tokens.length; i += 1) {
    const entry = entryOf(tokens[i]!);
    if (entry === NOTHING) continue;
    if (entry.starts) for (const phrase of entry.starts) if (matchesAt(tokens, i, phrase)) record(hits, phrase);
    for (const phrase of entry.prefixed) record(hits, phrase);
  }
  return hits;
}
