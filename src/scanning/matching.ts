/** Case- and accent-insensitive text for matching terms. */
export function foldText(value: string): string {
  return value.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

export function mentionsAnyTerm(text: string, terms: readonly string[]): boolean {
  const folded = foldText(text);
  return terms.some((term) => folded.includes(foldText(term)));
}

export function firstMatchingTerm(text: string, terms: readonly string[]): string | undefined {
  const folded = foldText(text);
  return terms.find((term) => folded.includes(foldText(term)));
}

/** Levenshtein distance, bounded: returns max + 1 as soon as the distance must exceed `max`. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return max + 1;
    previous = current;
  }
  return previous[b.length]!;
}

/** Characters that render like Latin letters or digits, mapped to what they imitate. */
export const HOMOGLYPHS: Record<string, string> = {
  '0': 'o', '1': 'l', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g',
  а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', і: 'i', ј: 'j', ԁ: 'd', ɡ: 'g', ո: 'n', ս: 'u',
  α: 'a', ο: 'o', ν: 'v', ρ: 'p', τ: 't', ι: 'i', κ: 'k',
};

/** Folds homoglyphs and the classic `rn`→`m`, `vv`→`w` look-alikes, so `acrne` and `acme` compare equal. */
export function skeleton(label: string): string {
  return [...foldText(label)].map((c) => HOMOGLYPHS[c] ?? c).join('').replace(/rn/g, 'm').replace(/vv/g, 'w');
}
