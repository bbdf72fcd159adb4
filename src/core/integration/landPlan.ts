import { sha256Hex } from '../changes/proposedChange';
import { mergeText } from './threeWayMerge';

/** One file of a plan landing on the user's files. */
export interface LandingWrite {
  readonly path: string;
  readonly content: string;
  /** What the user's file must still hash to when written; null: it must still not exist. */
  readonly expectedSha256: string | null;
  /** `merged`: the user changed the file since the plan read it, on other lines. */
  readonly kind: 'new' | 'fast_forward' | 'merged';
}

export interface Landing {
  readonly writes: readonly LandingWrite[];
  /** Files the user changed on the same lines as the plan: never overwritten. */
  readonly conflicts: readonly { readonly path: string; readonly regions: number }[];
  /** Files whose content on disk is already what the plan has. */
  readonly unchanged: readonly string[];
}

/**
 * What accepting a whole plan writes: each file the plan changed, three-way merged with whatever
 * the user did to it since (base = the file as the plan first read it, ours = the file now, theirs
 * = the plan's). Pure: the caller writes `writes` (all or none) only when `conflicts` is empty.
 */
export async function planLanding(
  files: ReadonlyMap<string, string>,
  baseOf: (path: string) => Promise<string | undefined>,
  current: (path: string) => Promise<string | undefined>,
): Promise<Landing> {
  const writes: LandingWrite[] = [];
  const conflicts: { path: string; regions: number }[] = [];
  const unchanged: string[] = [];
  for (const [path, theirs] of files) {
    const base = await baseOf(path);
    const ours = await current(path);
    const expectedSha256 = ours === undefined ? null : sha256Hex(ours);
    if (ours === theirs) {
      unchanged.push(path);
      continue;
    }
    if (ours === base) {
      writes.push({ path, content: theirs, expectedSha256, kind: ours === undefined ? 'new' : 'fast_forward' });
      continue;
    }
    const merged = mergeText(base ?? '', ours ?? '', theirs);
    if (!merged.ok) conflicts.push({ path, regions: merged.conflicts });
    else if (merged.text === ours) unchanged.push(path);
    else writes.push({ path, content: merged.text, expectedSha256, kind: 'merged' });
  }
  return { writes, conflicts, unchanged };
}
