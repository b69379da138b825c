/** Letters that compatibility decomposition leaves whole but readers spell out (`Bußgeld`, `cœur`). */
const SPELLED_OUT: Record<string, string> = { ß: 'ss', œ: 'oe', æ: 'ae', ø: 'o', ł: 'l', đ: 'd', þ: 'th', ı: 'i' };

/**
 * Characters compatibility decomposition leaves as they are and that have no case: ASCII and the
 * typographic punctuation most text carries (dashes, curly quotes, guillemets, bullets, € and £).
 */
const NEEDS_DECOMPOSITION = /[^\x00-\x7f\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u00ab\u00bb\u20ac\u00a3]/;

/** Case- and accent-insensitive text for matching terms. */
export function foldText(value: string): string {
  // Text of those characters only has nothing to decompose: skip the normalization, the costliest step.
  if (!NEEDS_DECOMPOSITION.test(value)) return value.toLowerCase();
  // Latin accents decompose to marks in one small block, which a plain class removes far faster
  // than the Unicode property; only text with other characters left needs the property.
  let bare = value.normalize('NFKD').replace(LATIN_MARKS, '');
  if (BEYOND_LATIN.test(bare)) bare = bare.replace(ANY_MARK, '');
  return bare.toLowerCase().replace(SPELLED_OUT_LETTERS, (letter) => SPELLED_OUT[letter]!);
}
const LATIN_MARKS = /[\u0300-\u036f]/g;
const BEYOND_LATIN = /[^\x00-\u02ff]/;
const ANY_MARK = /\p{M}/gu;
const SPELLED_OUT_LETTERS = /[ßœæøłđþı]/g;

/** Rows of the distance table, reused: the look-alike checks call this for every host and brand label. */
let beforeRow = new Uint16Array(64);
let previousRow = new Uint16Array(64);
let currentRow = new Uint16Array(64);

/**
 * Edit distance with adjacent transpositions counted as one edit (optimal string alignment, the
 * restricted Damerau–Levenshtein distance), as typosquatting tools count them: `velnuor` is one
 * edit from `velunor`, not two. Bounded: returns max + 1 as soon as the distance must exceed `max`.
 * Only the diagonal band |i - j| ≤ max is computed: every cell outside it exceeds max anyway.
 */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const over = max + 1;
  if (b.length + 2 > previousRow.length) {
    beforeRow = new Uint16Array(b.length + 2);
    previousRow = new Uint16Array(b.length + 2);
    currentRow = new Uint16Array(b.length + 2);
  }
  for (let j = 0; j <= b.length; j += 1) previousRow[j] = j < over ? j : over;
  for (let i = 1; i <= a.length; i += 1) {
    const from = Math.max(1, i - max);
    const to = Math.min(b.length, i + max);
    // The cells just outside the band, which the next rows read, stand for "more than max".
    currentRow[from - 1] = from === 1 ? Math.min(i, over) : over;
    if (to < b.length) currentRow[to + 1] = over;
    let rowMin = currentRow[from - 1]!;
    const ca = a.charCodeAt(i - 1);
    for (let j = from; j <= to; j += 1) {
      const cb = b.charCodeAt(j - 1);
      let value = Math.min(previousRow[j]! + 1, currentRow[j - 1]! + 1, previousRow[j - 1]! + (ca === cb ? 0 : 1));
      // Two neighbours swapped (`nu` for `un`) cost one edit, from two rows back.
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb && ca !== cb) value = Math.min(value, beforeRow[j - 2]! + 1);
      if (value > over) value = over;
      currentRow[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return over;
    [beforeRow, previousRow, currentRow] = [previousRow, currentRow, beforeRow];
  }
  return previousRow[b.length]!;
}
