/**
 * "Did you mean …?" for mistyped command words. A dozen short candidates: a plain edit distance
 * (Levenshtein, with adjacent transpositions counted as one edit) is all it takes.
 */

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  // Three rows of the dynamic-programming table are enough (two back, for transpositions).
  let before = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (before[j - 2] ?? 0) + 1);
      row[j] = d;
    }
    [before, prev, row] = [prev, row, before];
  }
  return prev[b.length] ?? 0;
}

/**
 * The candidate closest to `word`, when it is close enough to be a typo: at most 2 edits, and
 * fewer than half the word's length (so `ab` does not suggest `on`), or a word cut short. Ties go
 * to the first listed.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (!best || d < best.d) best = { c, d };
  }
  if (!best) return undefined;
  // A unique prefix of two letters or more is a word cut short (`conf` -> `config`).
  const starts = candidates.filter((c) => c.toLowerCase().startsWith(w));
  if (w.length >= 2 && starts.length === 1 && starts[0] !== w) return starts[0];
  const limit = Math.min(2, Math.ceil(w.length / 2) - 1);
  return best.d > 0 && best.d <= limit ? best.c : undefined;
}
