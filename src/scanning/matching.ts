/** Letters that compatibility decomposition leaves whole but readers spell out (`Bußgeld`, `cœur`). */
const SPELLED_OUT: Record<string, string> = { ß: 'ss', œ: 'oe', æ: 'ae', ø: 'o', ł: 'l', đ: 'd', þ: 'th' };

/** Case- and accent-insensitive text for matching terms. */
export function foldText(value: string): string {
  // ASCII has nothing to decompose: skip the normalization, the costliest step.
  if (/^[\x00-\x7f]*$/.test(value)) return value.toLowerCase();
  return value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßœæøłđþ]/g, (letter) => SPELLED_OUT[letter]!);
}

/** Rows of the distance table, reused: the look-alike checks call this for every host and brand label. */
let beforeRow = new Uint16Array(64);
let previousRow = new Uint16Array(64);
let currentRow = new Uint16Array(64);

/**
 * Edit distance with adjacent transpositions counted as one edit (optimal string alignment, the
 * restricted Damerau–Levenshtein distance), as typosquatting tools count them: `velnuor` is one
 * edit from `velunor`, not two. Bounded: returns max + 1 as soon as the distance must exceed `max`.
 */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (b.length + 1 > previousRow.length) {
    beforeRow = new Uint16Array(b.length + 1);
    previousRow = new Uint16Array(b.length + 1);
    currentRow = new Uint16Array(b.length + 1);
  }
  for (let j = 0; j <= b.length; j += 1) previousRow[j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    currentRow[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j += 1) {
      const cb = b.charCodeAt(j - 1);
      let value = Math.min(previousRow[j]! + 1, currentRow[j - 1]! + 1, previousRow[j - 1]! + (ca === cb ? 0 : 1));
      // Two neighbours swapped (`nu` for `un`) cost one edit, from two rows back.
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb && ca !== cb) value = Math.min(value, beforeRow[j - 2]! + 1);
      currentRow[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    [beforeRow, previousRow, currentRow] = [previousRow, currentRow, beforeRow];
  }
  return previousRow[b.length]!;
}
