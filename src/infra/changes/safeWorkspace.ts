import { randomBytes } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { normalizeWorkspacePath, pathProblem } from '../../core/changes/paths';
import { sha256Hex } from '../../core/changes/proposedChange';
import { HeliosError } from '../../core/errors/heliosError';

/**
 * Writing proposed changes to a real folder: every path confined to the workspace (symlinks
 * included), every file of a task written or none.
 */

export type EscapeProblem = 'empty' | 'nul' | 'absolute' | 'parent' | 'symlink';

function escape(relative: string, problem: EscapeProblem): HeliosError {
  return new HeliosError('path_outside_workspace', `${relative} is not inside the workspace (${problem})`, { path: relative, problem });
}

function inside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(p);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The real absolute path of a workspace-relative path, or a `path_outside_workspace` error when it
 * is absolute, has `..`, or reaches outside `realpath(root)` through a symlink. The nearest
 * existing ancestor is resolved with `realpath`, so a symlinked folder that points outside is
 * caught before anything is created under it; a dangling symlink is refused (writing through it
 * would create a file wherever it points).
 */
export async function resolveInside(root: string, relative: string): Promise<string> {
  const normalized = normalizeWorkspacePath(relative);
  const problem = pathProblem(normalized);
  if (problem) throw escape(relative, problem);
  const realRoot = await fs.realpath(root);
  const segments = normalized.split('/');
  // Walk down from the deepest existing ancestor; the rest does not exist yet and cannot be a link.
  for (let depth = segments.length; depth >= 0; depth--) {
    const candidate = path.join(realRoot, ...segments.slice(0, depth));
    const stat = await lstatOrUndefined(candidate);
    if (!stat) continue;
    let real: string;
    try {
      real = await fs.realpath(candidate);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ELOOP') throw escape(relative, 'symlink');
      throw error;
    }
    if (!inside(realRoot, real)) throw escape(relative, 'symlink');
    return path.join(real, ...segments.slice(depth));
  }
  return path.join(realRoot, normalized);
}

export interface DiskWrite {
  /** Workspace-relative. */
  readonly path: string;
  /** What the file must still hash to; null: it must not exist. */
  readonly expectedSha256: string | null;
  readonly content: string;
}

/** What `applyToDisk` does to files, replaceable in tests to make one step fail. */
export interface DiskOps {
  rename(from: string, to: string): Promise<void>;
}

async function readOrUndefined(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The file's bytes (kept to restore them on rollback) once its hash is the expected one. */
async function checkBase(write: DiskWrite, file: string): Promise<Buffer | undefined> {
  const current = await readOrUndefined(file);
  const ok = write.expectedSha256 === null ? current === undefined : current !== undefined && sha256Hex(current.toString('utf8')) === write.expectedSha256;
  if (!ok) throw new HeliosError('change_conflict', `${write.path} changed since it was read`, { path: write.path });
  return current;
}

interface Staged {
  readonly write: DiskWrite;
  readonly file: string;
  readonly tmp: string;
  previous?: Buffer;
  /** The top folder `mkdir -p` created for this file, if any. */
  createdDir?: string;
}

/**
 * Writes a task's files, all or none (the CLI's `--apply`; the extension uses a WorkspaceEdit).
 * Paths are confined and base hashes checked first; then a temp file is written beside each
 * target, the hashes are checked again, and the temp files are renamed over the targets. If a
 * rename fails, the files already renamed get their previous content back (or are removed when
 * they were new). Throws `path_outside_workspace` or `change_conflict` before writing anything.
 */
export async function applyToDisk(root: string, writes: readonly DiskWrite[], ops: DiskOps = fs): Promise<void> {
  const staged: Staged[] = [];
  for (const write of writes) {
    const file = await resolveInside(root, write.path);
    await checkBase(write, file);
    staged.push({ write, file, tmp: `${file}.helios-${process.pid}-${randomBytes(4).toString('hex')}.tmp` });
  }
  try {
    for (const s of staged) {
      s.createdDir = await fs.mkdir(path.dirname(s.file), { recursive: true });
      const mode = (await lstatOrUndefined(s.file))?.mode;
      const handle = await fs.open(s.tmp, 'w');
      try {
        // An executable script stays executable.
        if (mode !== undefined) await handle.chmod(mode & 0o7777);
        await handle.writeFile(s.write.content, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    // Immediately before the renames: an editor may have saved one of the files meanwhile.
    for (const s of staged) s.previous = await checkBase(s.write, s.file);
  } catch (error) {
    await Promise.all(staged.map((s) => fs.rm(s.tmp, { force: true })));
    await removeCreatedDirs(staged);
    throw error;
  }
  const renamed: Staged[] = [];
  try {
    for (const s of staged) {
      await ops.rename(s.tmp, s.file);
      renamed.push(s);
    }
  } catch (error) {
    for (const s of renamed.reverse()) {
      if (s.previous === undefined) await fs.rm(s.file, { force: true });
      else await fs.writeFile(s.file, s.previous);
    }
    await Promise.all(staged.map((s) => fs.rm(s.tmp, { force: true })));
    await removeCreatedDirs(staged);
    throw error;
  }
}

/** Removes the folders `mkdir -p` created for a rolled-back write, deepest first, while empty. */
async function removeCreatedDirs(staged: readonly Staged[]): Promise<void> {
  for (const s of [...staged].reverse()) {
    if (!s.createdDir) continue;
    for (let dir = path.dirname(s.file); inside(s.createdDir, dir); dir = path.dirname(dir)) {
      try {
        await fs.rmdir(dir);
      } catch {
        break;
      }
    }
  }
}
