import type { EditHunk } from '../../shared/proposedChange';

/** Occurrences of `needle` in `haystack`, overlapping ones included ("aa" occurs twice in "aaa"). */
export function countOccurrences(haystack: string, needle: string, limit = Number.POSITIVE_INFINITY): number {
  if (needle.length === 0) return 0;
  let n = 0;
  for (let at = haystack.indexOf(needle); at >= 0 && n < limit; at = haystack.indexOf(needle, at + 1)) n++;
  return n;
}

export type HunkProblem =
  | { readonly code: 'empty_search'; readonly hunk: number }
  | { readonly code: 'search_not_unique'; readonly hunk: number; readonly matches: number }
  | { readonly code: 'overlapping_hunks'; readonly hunk: number; readonly other: number };

export type HunkResult =
  | { readonly ok: true; readonly content: string; readonly linesAdded: number; readonly linesRemoved: number }
  | { readonly ok: false; readonly problems: readonly HunkProblem[] };

/**
 * Applies search-and-replace hunks to a base text. Every search is located in the *base* (so the
 * hunks are independent of their order), must occur exactly once, and hunks must not overlap.
 * Matches are counted up to 10: "found 10+ times" is all a repair prompt needs.
 */
export function applyHunks(base: string, hunks: readonly EditHunk[]): HunkResult {
  const problems: HunkProblem[] = [];
  const located: Array<{ hunk: number; at: number; end: number }> = [];
  hunks.forEach((h, hunk) => {
    if (h.search.length === 0) {
      problems.push({ code: 'empty_search', hunk });
      return;
    }
    const matches = countOccurrences(base, h.search, 10);
    if (matches !== 1) problems.push({ code: 'search_not_unique', hunk, matches });
    else {
      const at = base.indexOf(h.search);
      located.push({ hunk, at, end: at + h.search.length });
    }
  });
  located.sort((a, b) => a.at - b.at);
  for (let i = 1; i < located.length; i++) {
    const prev = located[i - 1]!;
    const cur = located[i]!;
    if (cur.at < prev.end) problems.push({ code: 'overlapping_hunks', hunk: Math.max(cur.hunk, prev.hunk), other: Math.min(cur.hunk, prev.hunk) });
  }
  if (problems.length > 0) return { ok: false, problems };

  let content = '';
  let cursor = 0;
  let linesAdded = 0;
  let linesRemoved = 0;
  for (const { hunk, at, end } of located) {
    const h = hunks[hunk]!;
    content += base.slice(cursor, at) + h.replace;
    cursor = end;
    const delta = lineDelta(h.search, h.replace);
    linesAdded += delta.added;
    linesRemoved += delta.removed;
  }
  return { ok: true, content: content + base.slice(cursor), linesAdded, linesRemoved };
}

function lines(text: string): string[] {
  if (text.length === 0) return [];
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * Added and removed lines between two texts after trimming their common leading and trailing
 * lines: exact for one contiguous change (what a hunk is), an upper bound otherwise.
 */
export function lineDelta(before: string, after: string): { added: number; removed: number } {
  const a = lines(before);
  const b = lines(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return { added: endB - start, removed: endA - start };
}
