import { diff3Merge } from 'node-diff3';

/** The outcome of merging one file: the merged text, or the number of overlapping regions. */
export type MergeOutcome =
  | { readonly ok: true; readonly text: string; readonly kind: 'unchanged' | 'fast_forward' | 'merged' }
  | { readonly ok: false; readonly conflicts: number };

/**
 * Three-way line merge of one file (node-diff3, the diff3 algorithm git and GNU diff3 use): `base`
 * is what the task read, `ours` the tree now, `theirs` the task's proposal. Identical changes on
 * both sides are not conflicts (false conflicts excluded). Line ends are kept on each line, so CRLF
 * files and a missing final newline survive the merge byte for byte.
 */
export function mergeText(base: string, ours: string, theirs: string): MergeOutcome {
  if (ours === theirs) return { ok: true, text: ours, kind: 'unchanged' };
  if (ours === base) return { ok: true, text: theirs, kind: 'fast_forward' };
  if (theirs === base) return { ok: true, text: ours, kind: 'unchanged' };
  const regions = diff3Merge(lines(ours), lines(base), lines(theirs), { excludeFalseConflicts: true });
  let conflicts = 0;
  const out: string[] = [];
  for (const region of regions) {
    if (region.ok) out.push(...region.ok);
    else conflicts++;
  }
  return conflicts > 0 ? { ok: false, conflicts } : { ok: true, text: out.join(''), kind: 'merged' };
}

/** Lines with their line ends attached (the last one may have none). */
function lines(text: string): string[] {
  if (text === '') return [];
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}
