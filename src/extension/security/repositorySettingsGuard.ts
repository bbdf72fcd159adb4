import * as vscode from 'vscode';
import { newWarnings, settingsInFile, type RepositorySetting } from '../../core/security/repositorySettings';
import { SETTING_OWNERS, type IgnoredSetting, type SettingField } from '../../core/security/settingPolicy';
import { LEGACY_SETTINGS, STATE_KEYS } from '../constants';
import { settingKey } from '../settings';

const RESCAN_DELAY_MS = 300;

/** Every key a repository may not set: the user-only settings and the retired allowUnsandboxed. */
export function protectedKeys(): string[] {
  const fields = (Object.keys(SETTING_OWNERS) as SettingField[]).filter((f) => SETTING_OWNERS[f].owner === 'user');
  return [...fields, ...Object.keys(LEGACY_SETTINGS)].map(settingKey);
}

interface SettingsFile {
  readonly uri: vscode.Uri;
  readonly label: string;
  readonly kind: 'settings' | 'workspaceFile';
}

function settingsFiles(): SettingsFile[] {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const files: SettingsFile[] = folders.map((f) => ({
    uri: vscode.Uri.joinPath(f.uri, '.vscode', 'settings.json'),
    label: folders.length > 1 ? `${f.name}/.vscode/settings.json` : '.vscode/settings.json',
    kind: 'settings',
  }));
  const workspaceFile = vscode.workspace.workspaceFile;
  if (workspaceFile && workspaceFile.scheme !== 'untitled') {
    files.push({ uri: workspaceFile, label: workspaceFile.path.split('/').pop() ?? workspaceFile.path, kind: 'workspaceFile' });
  }
  return files;
}

async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

/**
 * Says once per workspace — per file, setting and value — that a repository's settings file set
 * something only the user may set, and that Helios ignored it. VS Code itself drops `application`
 * and `machine` settings from workspace files, so the files are read here (reading is safe in
 * Restricted Mode: nothing in them runs). Every ignored value is also logged, each time it is seen.
 */
export class RepositorySettingsGuard implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private fromInspect: readonly IgnoredSetting[] = [];

  constructor(
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // Patterns based on folders that exist (`.vscode/` may not yet): a clone or a pull can create it.
    const patterns = (vscode.workspace.workspaceFolders ?? []).map((f) => new vscode.RelativePattern(f, '.vscode/settings.json'));
    const workspaceFile = vscode.workspace.workspaceFile;
    if (workspaceFile && workspaceFile.scheme !== 'untitled') patterns.push(new vscode.RelativePattern(vscode.Uri.joinPath(workspaceFile, '..'), workspaceFile.path.split('/').pop()!));
    for (const pattern of patterns) {
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      this.disposables.push(watcher, watcher.onDidCreate(() => this.soon()), watcher.onDidChange(() => this.soon()));
    }
  }

  /** Rescans, with the workspace values `readSettings` saw through `inspect()` (e.g. the retired setting). */
  update(ignored: readonly IgnoredSetting[]): void {
    this.fromInspect = ignored;
    this.soon();
  }

  /** Scans now; resolves when any warning was shown (not when the user answered it). */
  async check(): Promise<RepositorySetting[]> {
    const keys = protectedKeys();
    const found: RepositorySetting[] = [];
    for (const file of settingsFiles()) {
      const text = await readText(file.uri);
      if (text !== undefined) found.push(...settingsInFile(file.label, text, file.kind, keys));
    }
    // Values VS Code passed through (a retired, unregistered setting): named by the file they come from.
    const workspaceLabel = vscode.workspace.workspaceFile ? settingsFiles().find((f) => f.kind === 'workspaceFile')?.label : undefined;
    for (const i of this.fromInspect) {
      const key = settingKey(i.field);
      const file = i.scope === 'workspace' && workspaceLabel ? workspaceLabel : '.vscode/settings.json';
      if (!found.some((f) => f.key === key && f.file.endsWith(file))) found.push({ file, key, value: i.value });
    }
    for (const s of found) this.log.warn(`Ignored ${s.key} from ${s.file}: a repository cannot set it; only your user settings count`);
    const { fresh, warned } = newWarnings(found, this.state.get<string[]>(STATE_KEYS.repositorySettingsWarned) ?? []);
    if (fresh.length === 0) return found;
    await this.state.update(STATE_KEYS.repositorySettingsWarned, warned);
    for (const [file, settings] of groupByFile(fresh)) void this.warn(file, settings);
    return found;
  }

  private async warn(file: string, settings: readonly RepositorySetting[]): Promise<void> {
    const open = vscode.l10n.t('Open {0}', file);
    const user = vscode.l10n.t('Open User Settings');
    const picked = await vscode.window.showWarningMessage(
      vscode.l10n.t('Helios ignored {0} in {1}: a repository cannot set where your API key goes, which program runs, the sandbox, or your budget. If you want these values, set them in your user settings.', settings.map((s) => s.key).join(', '), file),
      open, user,
    );
    if (picked === user) await vscode.commands.executeCommand('workbench.action.openSettings', settings[0]?.key ?? 'helios');
    if (picked === open) {
      const uri = settingsFiles().find((f) => f.label === file)?.uri;
      if (uri) await vscode.window.showTextDocument(uri);
    }
  }

  private soon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check().catch((e: unknown) => this.log.warn(`Could not read the workspace settings files: ${String(e)}`)), RESCAN_DELAY_MS);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

function groupByFile(settings: readonly RepositorySetting[]): Map<string, RepositorySetting[]> {
  const byFile = new Map<string, RepositorySetting[]>();
  for (const s of settings) byFile.set(s.file, [...(byFile.get(s.file) ?? []), s]);
  return byFile;
}
