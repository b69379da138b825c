/** Case- and accent-insensitive text for matching terms. */
export function foldText(value: string): string {
  // ASCII has nothing to decompose: skip the normalization, the costliest step.
  if (/^[\x00-\x7f]*$/.test(value)) return value.toLowerCase();
  return value.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

export function mentionsAnyTerm(text: string, terms: readonly string[]): boolean {
  const folded = foldText(text);
  return terms.some((term) => folded.includes(foldText(term)));
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
