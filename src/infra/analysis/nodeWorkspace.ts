import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import type { WorkspaceSource } from '../../core/analysis/workspaceGraph';
import { isHeliosError } from '../../core/errors/heliosError';
import { resolveInside } from '../changes/safeWorkspace';

/** Folders never scanned: dependencies, VCS data, build output, caches. */
export const DEFAULT_IGNORED_DIRS: readonly string[] = ['node_modules', '.git', 'dist', 'out', 'build', 'coverage', '.vscode-test', '.next', '.turbo', '.cache', '__pycache__', 'venv'];

/** TypeScript/JavaScript, and Python and Go (parsed with tree-sitter, see treeSitterWorkspace.ts). */
const SOURCE_FILE = /\.(?:[cm]?tsx?|[cm]?jsx?|pyi?|go)$/;

/** The workspace on disk: source files under `root`, read as UTF-8. */
export class NodeWorkspace implements WorkspaceSource {
  private readonly ignored: ReadonlySet<string>;

  constructor(readonly root: string, ignoredDirs: readonly string[] = DEFAULT_IGNORED_DIRS) {
    this.ignored = new Set(ignoredDirs);
  }

  async listFiles(signal?: AbortSignal): Promise<string[]> {
    const out: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      if (signal?.aborted) return;
      let entries: Dirent[];
      try {
        entries = await fs.readdir(path.join(this.root, rel), { withFileTypes: true });
      } catch {
        return;
      }
      const dirs: Array<Promise<void>> = [];
      for (const e of entries) {
        const child = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (!this.ignored.has(e.name) && !e.name.startsWith('.')) dirs.push(walk(child));
        } else if (e.isFile() && SOURCE_FILE.test(e.name)) {
          out.push(child);
        }
      }
      await Promise.all(dirs);
    };
    await walk('');
    return out.sort();
  }

  /** A file's text; one that resolves outside the root (a symlink, or through a linked folder) reads as missing. */
  async readFile(file: string): Promise<string | undefined> {
    try {
      const inside = await resolveInside(this.root, file).catch((error: unknown) => {
        if (isHeliosError(error, 'path_outside_workspace')) return undefined;
        throw error;
      });
      if (inside === undefined) return undefined;
      return await fs.readFile(inside, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  absolute(file: string): string {
    return path.join(this.root, ...file.split('/'));
  }

  /** Root-relative POSIX path of an absolute path, or undefined when it is outside the root or not a source file. */
  relative(absolute: string): string | undefined {
    const rel = path.relative(this.root, absolute);
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    const posix = rel.split(path.sep).join('/');
    if (!SOURCE_FILE.test(posix) || posix.split('/').some((seg) => this.ignored.has(seg) || seg.startsWith('.'))) return undefined;
    return posix;
  }
}
