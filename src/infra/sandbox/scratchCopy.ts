import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { HeliosError } from '../../core/errors/heliosError';
import { isSecretFile } from '../../core/verify/sandbox';
import type { ScratchCopies, ScratchCopy } from '../../core/verify/verifyChange';

/**
 * Scratch copies of a workspace for verify runs.
 *
 * A plain copy of the working tree, not a `git worktree add` of HEAD: a proposal's base hashes are
 * of the files as they are on disk, uncommitted edits included, so a worktree of HEAD would fail
 * the base check (or pass a test against code the user no longer has); and `git worktree add`
 * writes into the user's `.git`, which this must never touch. In a git repository the file list is
 * `git ls-files --cached --others --exclude-standard` (read-only: what the user would commit,
 * .gitignore respected); elsewhere a walk that skips VCS and dependency folders. Dependency folders
 * (`node_modules`, `.venv`, `venv`) are symlinked, not copied — outside the sandbox's writable
 * paths, so the command can use them but not change them. `.env*` files are not copied at all.
 *
 * Each copy lives under `<tmp>/helios-verify-<pid>-<random>/` with a marker naming its owner, so
 * `cleanupStale` can remove what a crashed window left behind.
 */

const PREFIX = 'helios-verify-';
const MARKER = 'helios-scratch.json';
const LINKED_DEPENDENCIES = ['node_modules', '.venv', 'venv'];
const WALK_SKIP = new Set(['.git', '.hg', '.svn', 'node_modules', '.venv', 'venv', '__pycache__', 'target', '.helios']);
const COPY_CONCURRENCY = 32;

const run = promisify(execFile);

export interface ScratchCopierOptions {
  /** Where copies go; `os.tmpdir()` by default. */
  readonly root?: string;
}

export class ScratchCopier implements ScratchCopies {
  private readonly root: string;

  constructor(options: ScratchCopierOptions = {}) {
    this.root = options.root ?? os.tmpdir();
  }

  async create(workspaceRoot: string, signal?: AbortSignal): Promise<ScratchCopy> {
    const base = path.join(this.root, `${PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
    const dir = path.join(base, 'work');
    const tmpDir = path.join(base, 'tmp');
    await fs.mkdir(base, { recursive: true });
    // The marker first: a crash during the copy still leaves something cleanupStale recognises.
    await fs.writeFile(path.join(base, MARKER), JSON.stringify({ pid: process.pid, workspace: workspaceRoot, createdAt: new Date().toISOString() }));
    const dispose = (): Promise<void> => fs.rm(base, { recursive: true, force: true });
    try {
      await fs.mkdir(dir);
      await fs.mkdir(tmpDir);
      const files = await listFiles(workspaceRoot);
      const secrets = new Set<string>();
      for (const name of await fs.readdir(workspaceRoot)) if (isSecretFile(name)) secrets.add(name);
      const toCopy = files.filter((f) => {
        if (!isSecretFile(f)) return true;
        secrets.add(f);
        return false;
      });
      await copyAll(workspaceRoot, dir, toCopy, signal);
      for (const name of LINKED_DEPENDENCIES) {
        const source = path.join(workspaceRoot, name);
        if (await isDirectory(source)) await fs.symlink(source, path.join(dir, name), 'dir');
      }
      const secretFiles = [...secrets].map((rel) => path.join(workspaceRoot, rel));
      return {
        dir,
        tmpDir,
        secretFiles,
        readFile: async (rel) => {
          try {
            return await fs.readFile(inside(dir, rel));
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
            throw error;
          }
        },
        writeFile: async (rel, content) => {
          const target = inside(dir, rel);
          // Never write through a symlink: a linked folder (node_modules) is the user's own tree.
          await refuseLinkedParents(dir, rel);
          await fs.mkdir(path.dirname(target), { recursive: true });
          await fs.rm(target, { force: true });
          await fs.writeFile(target, content);
        },
        dispose,
      };
    } catch (error) {
      await dispose();
      throw error;
    }
  }
}

/**
 * Removes copies whose owning process is gone (a crash, a killed window). Copies of live
 * processes, this one included, are left alone. Returns the folders removed.
 */
export async function cleanupStale(root: string = os.tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await fs.readdir(root);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const base = path.join(root, name);
    let pid: number | undefined;
    try {
      const marker = JSON.parse(await fs.readFile(path.join(base, MARKER), 'utf8')) as { pid?: unknown };
      if (typeof marker.pid === 'number') pid = marker.pid;
    } catch {
      // No marker (or a torn one): fall back to the pid in the folder's name.
      pid = Number(/^helios-verify-(\d+)-/.exec(name)?.[1]);
    }
    if (pid === undefined || !Number.isInteger(pid) || isAlive(pid)) continue;
    await fs.rm(base, { recursive: true, force: true });
    removed.push(base);
  }
  return removed;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function inside(dir: string, rel: string): string {
  const target = path.resolve(dir, rel);
  if (!target.startsWith(dir + path.sep)) throw new HeliosError('path_outside_workspace', 'Path leaves the scratch copy', { path: rel });
  return target;
}

/** Throws when a folder on the way to `rel` in the copy is a symlink (it would lead out of the copy). */
async function refuseLinkedParents(dir: string, rel: string): Promise<void> {
  const segments = rel.split('/').slice(0, -1);
  let current = dir;
  for (const segment of segments) {
    current = path.join(current, segment);
    let stat;
    try {
      stat = await fs.lstat(current);
    } catch {
      return; // Missing from here on: mkdir creates real folders.
    }
    if (stat.isSymbolicLink()) throw new HeliosError('path_outside_workspace', 'Path goes through a linked folder', { path: rel });
  }
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Workspace-relative files, forward slashes. */
async function listFiles(workspaceRoot: string): Promise<string[]> {
  if (await isDirectory(path.join(workspaceRoot, '.git'))) {
    try {
      const { stdout } = await run('git', ['-C', workspaceRoot, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
        maxBuffer: 256 * 1024 * 1024,
        // Read-only: never let git take the index lock or refresh stat data in the user's repo.
        env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
      });
      return stdout.split('\0').filter((f) => f !== '');
    } catch {
      // git missing or the repo unreadable: the walk below is still a correct (if larger) copy.
    }
  }
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await fs.readdir(path.join(workspaceRoot, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!WALK_SKIP.has(entry.name)) await walk(child);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        out.push(child);
      }
    }
  };
  await walk('');
  return out;
}

async function copyAll(from: string, to: string, files: readonly string[], signal?: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      if (signal?.aborted) throw new HeliosError('cancelled', 'Cancelled while copying the workspace');
      const rel = files[next++]!;
      const source = path.join(from, rel);
      const target = path.join(to, rel);
      let stat;
      try {
        stat = await fs.lstat(source);
      } catch {
        continue; // Listed by git but deleted in the working tree: not part of what is on disk.
      }
      await fs.mkdir(path.dirname(target), { recursive: true });
      try {
        if (stat.isSymbolicLink()) await fs.symlink(await fs.readlink(source), target);
        else if (stat.isFile()) await fs.copyFile(source, target, constants.COPYFILE_FICLONE);
      } catch (error) {
        // Gone between the listing and the copy (a temp file renamed into place, say): not on disk any more.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, files.length) }, worker));
}
