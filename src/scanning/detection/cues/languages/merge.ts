import type { Cue } from '../cue.ts';

/** Phrases for cues by the cues' names, in one language (or one set of additions). */
export type CuePhrases = Readonly<Record<string, readonly string[]>>;

/**
 * The cues with each language's phrases added to the cue of the same name, built once per process.
 * A name that is no cue is a mistake in a vocabulary file, reported at load rather than ignored.
 */
export function withPhrases(cues: readonly Cue[], languages: readonly CuePhrases[]): Cue[] {
  const names = new Set(cues.map((cue) => cue.name));
  for (const language of languages) {
    const unknown = Object.keys(language).filter((name) => !names.has(name));
    if (unknown.length > 0) throw new Error(`vocabulary names no cue: ${unknown.join(', ')}`);
  }
  return cues.map((cue) => {
    const added = languages.flatMap((language) => language[cue.name] ?? []);
    return added.length === 0 ? cue : { ...cue, phrases: [...new Set([...cue.phrases, ...added])] };
  });
}
