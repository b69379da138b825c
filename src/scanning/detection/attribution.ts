import { foldText } from '../matching.ts';
import { ENTITY_NOUNS_AFTER, ENTITY_NOUNS_BEFORE, JOB_CUT_VERBS, JOB_NOUNS, SEPARABLE_INCIDENTS } from './cues/press.ts';
import type { CandidateFinding, CompiledSubject, ReadFinding } from './subject.ts';
import { matchCues, words } from './vocabulary.ts';

/** Words that put the organization in a list or a comparison, not at the center of an incident. */
const ASIDE = new Set([
  'to', 'like', 'unlike', 'such', 'including', 'than', 'rivals', 'competitors', 'other', 'others', 'versus', 'vs', 'and', 'plus', 'among', 'alongside', 'como', 'comme', 'wie', 'e', 'y',
  'et', 'und', 'entre', 'parmi', 'unter',
]);

/** Where an incident is named in a sentence: the first word of an incident phrase, or the stem of a separable verb. */
function incidentPosition(tokens: readonly string[]): number {
  const cues = matchCues(tokens);
  if (cues.has('not affected')) return -1;
  const phrases = cues.get('incident reported');
  if (phrases) {
    const starts = phrases.map((phrase) => words(phrase)[0]!);
    const at = tokens.findIndex((token) => starts.some((start) => token.startsWith(start)));
    if (at !== -1) return at;
  }
  return separableIncident(tokens)?.at ?? -1;
}

/**
 * An incident told by words apart, which the cue index (one phrase at a time) cannot see: a German
 * separable verb ("ruft … zurück") or job cuts counted ("to cut 600 jobs").
 */
const STARTS = new Set([...SEPARABLE_INCIDENTS.map((verb) => verb.stem), ...JOB_CUT_VERBS]);

export function separableIncident(tokens: readonly string[]): { at: number; text: string } | undefined {
  // Most texts hold none of the verbs: one pass of look-ups decides that.
  if (!tokens.some((token) => STARTS.has(token))) return undefined;
  for (const { stem, particle, with: needs } of SEPARABLE_INCIDENTS) {
    const at = tokens.indexOf(stem);
    if (at !== -1 && tokens.indexOf(particle, at + 1) !== -1 && (!needs || needs.some((word) => tokens.includes(word)))) return { at, text: `${stem} … ${particle}` };
  }
  for (let at = 0; at < tokens.length; at += 1) {
    if (!JOB_CUT_VERBS.has(tokens[at]!)) continue;
    for (let k = at + 1; k <= at + 4 && k < tokens.length; k += 1) if (JOB_NOUNS.has(tokens[k]!)) return { at, text: `${tokens[at]} … ${tokens[k]}` };
  }
  return undefined;
}

/**
 * Whether the name at `i` (of `length` tokens) is part of another entity's name: "Acme Rovers",
 * "Villa Acme" — unless the organization's own names go on that way ("Acme Park" as a product,
 * "Hotel Acme" for a hotel chain).
 */
function isOtherEntity(tokens: readonly string[], i: number, length: number, longerNames: readonly (readonly string[])[], ownWords: ReadonlySet<string>): boolean {
  const isOwn = (word: string) => [...ownWords].some((own) => own.length >= 4 && (own.startsWith(word) || word.startsWith(own)));
  const next = tokens[i + length];
  if (next !== undefined && ENTITY_NOUNS_AFTER.has(next) && !isOwn(next) && !longerNames.some((name) => name.every((t, k) => tokens[i + k] === t))) return true;
  const before = tokens[i - 1];
  return before !== undefined && ENTITY_NOUNS_BEFORE.has(before) && !isOwn(before);
}

/**
 * Whether an incident is reported about the organization itself: in one sentence of the title,
 * the snippet or the URL's slug, the organization is named before the incident (it is the
 * subject: "Acme fined", "Acme recalls", "Acme ruft … zurück") or shortly after it with nothing
 * that makes it an aside ("fines Acme", "panne chez Acme" — but not "diverted to Acme", "rivals
 * such as Acme"), and the name is not part of another entity's ("Acme Rovers fined").
 */
export function isAttributed(finding: CandidateFinding, read: ReadFinding, compiled: CompiledSubject): boolean {
  const names = compiled.attributionNames;
  const slug = read.pathSegments.at(-1)?.replace(/[-_]+/g, ' ') ?? '';
  // Split the text already folded (folding keeps spaces and punctuation), so no sentence is folded twice.
  const sentences = [...read.foldedTitle.split(/;\s+|\s[|]\s/), ...read.foldedSnippet().split(/(?<=[.!?;:])\s+|\s[-–—|]\s/), foldText(slug)].map((s) => words(s)).filter((s) => s.length > 0);
  const firstWords = compiled.attributionFirstWords;
  for (const tokens of sentences) {
    // A sentence that names none of them attributes nothing: skip reading its incidents.
    if (!tokens.some((token) => firstWords.has(token))) continue;
    const incidentAt = incidentPosition(tokens);
    if (incidentAt === -1) continue;
    for (const nameTokens of names) {
      const longerNames = names.filter((other) => other.length > nameTokens.length && nameTokens.every((t, k) => other[k] === t));
      for (let i = 0; i + nameTokens.length <= tokens.length; i += 1) {
        if (!nameTokens.every((t, k) => tokens[i + k] === t)) continue;
        if (isOtherEntity(tokens, i, nameTokens.length, longerNames, compiled.ownWords)) continue;
        if (i < incidentAt) {
          if (!ASIDE.has(tokens[i - 1] ?? '')) return true;
        } else if (i - incidentAt <= 12 && !tokens.slice(incidentAt + 1, i).some((t) => ASIDE.has(t))) return true;
      }
    }
  }
  return false;
}
