import { promises as fs } from 'node:fs';

/**
 * What a store does with a state file it cannot read: keep it, renamed `<file>.corrupt-<time>`, so
 * nothing is silently thrown away and the next read starts clean. The caller reports the returned
 * path; undefined when the file was gone already (another window moved it first).
 */
export async function moveAside(file: string, now: Date = new Date()): Promise<string | undefined> {
  const aside = `${file}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
  try {
    await fs.rename(file, aside);
    return aside;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

