/**
 * "Did you mean …?" for names a user typed: keys of mlloop.yaml, enum values, commands,
 * column names. PURE: no node built-ins.
 */

/**
 * Optimal-string-alignment distance between two strings (Levenshtein with adjacent
 * transpositions counting as one edit), compared case-insensitively: 'feautres' → 'features'
 * is 1, 'Species' → 'species' is 0.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const n = s.length;
  const m = t.length;
  if (n === 0) return m;
  if (m === 0) return n;
  // Three rows of the DP table: i−2, i−1 and i.
  let before = new Array<number>(m + 1).fill(0);
  let previous = Array.from({ length: m + 1 }, (_, j) => j);
  let current = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    current[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, before[j - 2] + 1);
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[m];
}

/**
 * The candidate closest to `word`, when it is close enough to be a likely typo: at most one
 * edit for names of up to 4 characters, two up to 8, three beyond (and never the whole
 * word). Ties go to the earlier candidate. Undefined when none is close, or when `word` is
 * itself a candidate.
 */
export function closestName(word: string, candidates: Iterable<string>): string | undefined {
  const limit = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) return undefined;
    const distance = editDistance(word, candidate);
    if (distance < bestDistance && distance <= limit && distance < Math.max(word.length, candidate.length)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** " Did you mean 'x'?" when a candidate is close to `word` (see {@link closestName}), else ''. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const best = closestName(word, candidates);
  return best === undefined ? '' : ` Did you mean '${best}'?`;
}
