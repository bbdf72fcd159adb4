import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import { ATOMIC_TEMP } from './atomicFile';

/** An atomic write's temp file lives for milliseconds: one older than this was left by a crash. */
export const STALE_TEMP_MS = 60_000;
/** Plan worktrees hold the user's files, not ours: never swept. */
const SKIP: ReadonlySet<string> = new Set(['worktrees', '.git', 'node_modules']);
const MAX_DEPTH = 5;

/**
 * Removes the temp files that crashed atomic writes left under a state folder (`*.<pid>.<hex>.tmp`
 * older than a minute), so a run that died on a full disk does not keep the disk full. Best effort:
 * what cannot be listed or removed is left. Returns the removed paths.
 */
export async function sweepStaleTemp(dir: string, options: { readonly now?: number; readonly olderThanMs?: number } = {}): Promise<string[]> {
  const cutoff = (options.now ?? Date.now()) - (options.olderThanMs ?? STALE_TEMP_MS);
  const removed: string[] = [];
  const walk = async (folder: string, depth: number): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH && !SKIP.has(entry.name)) await walk(full, depth + 1);
      } else if (entry.isFile() && ATOMIC_TEMP.test(entry.name)) {
        const stat = await fs.stat(full).catch(() => undefined);
        if (stat && stat.mtimeMs < cutoff && (await fs.rm(full).then(() => true, () => false))) removed.push(full);
      }
    }
  };
  await walk(dir, 0);
  return removed;
}
