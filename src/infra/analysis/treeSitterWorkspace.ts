import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ExportedSymbol, ImportRecord, SourceScanner } from '../../core/analysis/graphTypes';
import type { WorkspaceSource } from '../../core/analysis/workspaceGraph';
import type { GoPackageIndex } from '../../core/analysis/goResolver';
import { scanGoExports, scanGoImports } from './goScanner';
import { scanPythonExports, scanPythonImports } from './pythonScanner';
import { languageOfFile, loadLanguage, type TreeSitterLanguage } from './treeSitter';

/** Bumped when the Python or Go record format changes (part of the scanner version, so old caches are ignored). */
export const TREE_SITTER_RECORDS = 'py1-go2';

function dirOf(file: string): string {
  const slash = file.lastIndexOf('/');
  return slash < 0 ? '' : file.slice(0, slash);
}

/**
 * Wraps the workspace source so that the grammars the files need are loaded before the
 * (synchronous) scanner runs: after listing, and before reading a Python or Go file. It also keeps
 * the Go package index (files by folder, `go.mod` module paths) the Go resolver reads.
 */
export class TreeSitterWorkspace implements WorkspaceSource, GoPackageIndex {
  private readonly goFiles = new Map<string, Set<string>>();
  private readonly modules = new Map<string, string | null>();

  constructor(private readonly inner: WorkspaceSource, private readonly root: string) {}

  async listFiles(signal?: AbortSignal): Promise<string[]> {
    const files = await this.inner.listFiles(signal);
    const languages = new Set<TreeSitterLanguage>();
    for (const f of files) {
      const lang = languageOfFile(f);
      if (lang) languages.add(lang);
      if (lang === 'go') this.addGoFile(f);
    }
    await Promise.all([...languages].map((l) => loadLanguage(l)));
    if (languages.has('go')) await this.readModules([...this.goFiles.keys()]);
    return files;
  }

  async readFile(file: string): Promise<string | undefined> {
    const text = await this.inner.readFile(file);
    const lang = languageOfFile(file);
    if (lang === 'go') {
      if (text === undefined) this.goFiles.get(dirOf(file))?.delete(file);
      else {
        this.addGoFile(file);
        await this.readModules([dirOf(file)]);
      }
    }
    if (lang && text !== undefined) await loadLanguage(lang);
    return text;
  }

  moduleOf(file: string): { readonly dir: string; readonly path: string } | undefined {
    for (let dir = dirOf(file); ; dir = dirOf(dir)) {
      const mod = this.modules.get(dir);
      if (mod) return { dir, path: mod };
      if (dir === '') return undefined;
    }
  }

  packageFiles(dir: string): readonly string[] {
    return [...(this.goFiles.get(dir) ?? [])].filter((f) => !f.endsWith('_test.go')).sort();
  }

  private addGoFile(file: string): void {
    const dir = dirOf(file);
    const set = this.goFiles.get(dir) ?? new Set<string>();
    set.add(file);
    this.goFiles.set(dir, set);
  }

  /** Reads `go.mod` in the given folders and their ancestors, once each. */
  private async readModules(dirs: readonly string[]): Promise<void> {
    const todo = new Set<string>();
    for (const d of dirs) for (let at = d; ; at = dirOf(at)) {
      if (!this.modules.has(at)) todo.add(at);
      if (at === '') break;
    }
    await Promise.all([...todo].map(async (dir) => {
      const text = await fs.readFile(path.join(this.root, ...dir.split('/').filter(Boolean), 'go.mod'), 'utf8').catch(() => undefined);
      this.modules.set(dir, (text && /^\s*module\s+"?([^\s"]+)"?/m.exec(text)?.[1]) || null);
    }));
  }
}

/**
 * The graph's scanner for a polyglot workspace: Python and Go through tree-sitter, everything
 * else through `ts` (which keeps its own lazy loading). A Python or Go file whose grammar has not
 * loaded (text handed to `updateText` before any read) scans as empty.
 */
export function polyglotScanner(ts: SourceScanner & { readonly version: string }): SourceScanner & { readonly version: string } {
  return {
    version: `${ts.version}+${TREE_SITTER_RECORDS}`,
    scanImports: (file: string, text: string): ImportRecord[] => {
      const lang = languageOfFile(file);
      if (lang === 'python') return scanPythonImports(text);
      if (lang === 'go') return scanGoImports(text);
      return ts.scanImports(file, text);
    },
    scanExports: (file: string, text: string): ExportedSymbol[] => {
      const lang = languageOfFile(file);
      if (lang === 'python') return scanPythonExports(file, text);
      if (lang === 'go') return scanGoExports(text);
      return ts.scanExports(file, text);
    },
  };
}
