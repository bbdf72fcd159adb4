/**
 * Workspace-relative paths as agents write them. Normalizing first (backslashes, `./`, doubled
 * slashes) means `./src/a.ts` and `src/a.ts` name the same file; the problem check then refuses
 * anything that could leave the workspace folder.
 */

export type PathProblem = 'empty' | 'nul' | 'absolute' | 'parent';

export function normalizeWorkspacePath(p: string): string {
  return p
    .trim()
    .replace(/\\/g, '/')
    .split('/')
    .filter((segment, i, all) => segment !== '.' && (segment !== '' || i === 0 || i === all.length - 1))
    .join('/');
}

/** Why a (normalized) path is not a safe workspace-relative path, or undefined when it is. */
export function pathProblem(p: string): PathProblem | undefined {
  if (p.includes('\0')) return 'nul';
  if (p.length === 0) return 'empty';
  if (p.startsWith('/') || p.startsWith('\\') || p.startsWith('~') || /^[a-zA-Z]:/.test(p)) return 'absolute';
  if (p.split(/[\\/]/).includes('..')) return 'parent';
  if (p.endsWith('/')) return 'empty';
  return undefined;
}
