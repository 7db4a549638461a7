/** Words: which known one a near miss was meant to be (a mistyped model, command or option), and counts of things. */

/** Levenshtein distance: insertions, deletions and substitutions, one row at a time. */
export function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}

/**
 * The candidate nearest to any of `forms` (the word as typed, and any normal forms of it), within `max` edits,
 * seen through `normal`; the first in `candidates` on a tie. Undefined when nothing is that close.
 */
export function nearest(forms: readonly string[], candidates: readonly string[], max = 2, normal: (word: string) => string = (w) => w): string | undefined {
  let best: { word: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const target = normal(candidate);
    const d = Math.min(...forms.map((form) => distance(form, target)));
    if (d <= max && (!best || d < best.distance)) best = { word: candidate, distance: d };
  }
  return best?.word;
}

/** `1 request`, `2 requests`; `many` for the irregular (`batch`, `batches`). */
export const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
