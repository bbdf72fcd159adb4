/**
 * Files that run code on the user's machine when the workspace is opened, built, committed or
 * pushed — not when the user runs the program. An agent's proposed edit to one of them is flagged
 * in Agent Diffs and is never auto-accepted, whatever the Reviewer said: a prompt injected through
 * a PRD or a source file ("set the verify command to curl …") would aim exactly there.
 *
 * Pure and conservative: when in doubt (a `package.json` that does not parse), the file is flagged.
 * Paths are workspace-relative with forward slashes; matching ignores case, as macOS and Windows do.
 */
import type { ProposedChange, ProposedFileChange } from '../../shared/proposedChange';

export type CodeRunningReason =
  /** `.vscode/tasks.json`: tasks, some run on folder open. */
  | 'vscode_tasks'
  /** `.vscode/settings.json` / `*.code-workspace`: settings name binaries, shells, formatters. */
  | 'vscode_settings'
  /** `.vscode/launch.json`: debug configurations run programs and pre-launch tasks. */
  | 'vscode_launch'
  /** CI definitions: `.github/workflows/*`, `.github/actions/**`, `.gitlab-ci.yml`, `.circleci/**`. */
  | 'ci_workflow'
  /** Git hooks and git's own config: `.git/**`, `.husky/**`, `.githooks/**`, lefthook, pre-commit. */
  | 'git_hook'
  /** `package.json` whose `scripts` changed: lifecycle scripts run on install, test and build. */
  | 'package_scripts'
  /** `.npmrc`, `.yarnrc(.yml)`, `.pnpmfile.cjs`: package-manager hooks and script shells. */
  | 'package_manager'
  /** `.devcontainer/**`, `.devcontainer.json`: commands run when the container is created. */
  | 'devcontainer'
  /** `.envrc`: direnv runs it on entering the folder. */
  | 'direnv'
  /** `.claude/settings*.json`, `.mcp.json`: agent hooks and MCP servers run commands. */
  | 'agent_config';

function reasonForPath(path: string): CodeRunningReason | undefined {
  const p = path.toLowerCase().replace(/^\.\//, '');
  const segments = p.split('/');
  const name = segments[segments.length - 1]!;
  const dirs = segments.slice(0, -1);
  const under = (dir: string) => dirs.includes(dir);
  if (under('.git') || under('.husky') || under('.githooks')) return 'git_hook';
  if (['lefthook.yml', 'lefthook.yaml', '.lefthook.yml', '.lefthook.yaml', 'lefthook-local.yml', '.pre-commit-config.yaml'].includes(name)) return 'git_hook';
  if (under('.vscode')) {
    if (name === 'tasks.json') return 'vscode_tasks';
    if (name === 'settings.json') return 'vscode_settings';
    if (name === 'launch.json') return 'vscode_launch';
  }
  if (name.endsWith('.code-workspace')) return 'vscode_settings';
  const github = dirs.indexOf('.github');
  if (github >= 0 && (dirs[github + 1] === 'workflows' || dirs[github + 1] === 'actions')) return 'ci_workflow';
  if (name === '.gitlab-ci.yml' || under('.circleci')) return 'ci_workflow';
  if (['.npmrc', '.yarnrc', '.yarnrc.yml', '.pnpmfile.cjs', '.pnpmfile.mjs'].includes(name)) return 'package_manager';
  if (under('.devcontainer') || name === '.devcontainer.json') return 'devcontainer';
  if (name === '.envrc') return 'direnv';
  if ((under('.claude') && /^settings(\.local)?\.json$/.test(name)) || name === '.mcp.json') return 'agent_config';
  return undefined;
}

/** The `scripts` of a package.json as a comparable string; undefined when it does not parse. */
function scriptsOf(text: string | undefined): string | undefined {
  if (text === undefined) return '{}';
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const scripts = (parsed as Record<string, unknown>).scripts;
    return JSON.stringify(scripts ?? {});
  } catch {
    return undefined;
  }
}

/**
 * Why a proposed edit of `path` (from `base`, undefined for a new file, to `proposed`) runs code
 * on the user's machine, or undefined when it does not.
 */
export function codeRunningReason(path: string, base?: string, proposed?: string): CodeRunningReason | undefined {
  const byPath = reasonForPath(path);
  if (byPath) return byPath;
  if (path.toLowerCase().split('/').pop() !== 'package.json') return undefined;
  const before = scriptsOf(base);
  const after = scriptsOf(proposed);
  if (before === undefined || after === undefined) return 'package_scripts';
  return before === after ? undefined : 'package_scripts';
}

export function fileCodeRunningReason(file: ProposedFileChange): CodeRunningReason | undefined {
  return codeRunningReason(file.path, file.baseContent, file.proposedContent);
}

/** The files of a change that run code on the user's machine, with why. */
export function codeRunningFiles(change: ProposedChange): Array<{ path: string; reason: CodeRunningReason }> {
  return change.files.flatMap((f) => {
    const reason = fileCodeRunningReason(f);
    return reason ? [{ path: f.path, reason }] : [];
  });
}
