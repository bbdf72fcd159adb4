import { createHash } from 'node:crypto';
import { HeliosError } from '../errors/heliosError';
import { DependencyGraph } from './dependencyGraph';
import type { BuildProgress, ExportedSymbol, FileRecord, SourceScanner } from './graphTypes';
import type { ResolverOptions } from './moduleResolver';

/** The workspace as the graph sees it; infra implements it over the file system. */
export interface WorkspaceSource {
  /** Source files as root-relative POSIX paths. */
  listFiles(signal?: AbortSignal): Promise<string[]>;
  /** The file's text, or undefined when it no longer exists. */
  readFile(file: string): Promise<string | undefined>;
}

export interface GraphCacheSnapshot {
  readonly version: number;
  /** Changes when the scanner's output format changes, so an old cache is ignored, not misread. */
  readonly scanner: string;
  readonly files: Readonly<Record<string, FileRecord>>;
}

export interface GraphCacheStore {
  load(): Promise<GraphCacheSnapshot | undefined>;
  save(snapshot: GraphCacheSnapshot): Promise<void>;
}

export const GRAPH_CACHE_VERSION = 1;

export interface BuildOptions {
  readonly source: WorkspaceSource;
  readonly scanner: SourceScanner & { readonly version: string };
  readonly resolver?: ResolverOptions;
  readonly cache?: GraphCacheStore;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: BuildProgress) => void;
  /** Files read at once (default 64). */
  readonly concurrency?: number;
}

export interface BuildStats {
  readonly files: number;
  readonly parsed: number;
  readonly reused: number;
  readonly listMs: number;
  readonly scanMs: number;
  readonly resolveMs: number;
  readonly totalMs: number;
}

export type UpdateOutcome = 'unchanged' | 'updated' | 'added' | 'removed';

export function contentHash(text: string): string {
  return createHash('sha1').update(text).digest('base64url');
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new HeliosError('cancelled', 'dependency graph build cancelled');
}

/**
 * The dependency graph of one workspace, kept current: a cold build parses every file once
 * (reusing cached records whose content hash matches), and `update` re-parses only the changed
 * file and re-resolves only the edges it can affect.
 */
export class WorkspaceGraph {
  readonly graph: DependencyGraph;
  private readonly texts = new Map<string, string>();

  private constructor(private readonly options: BuildOptions) {
    this.graph = new DependencyGraph(options.resolver);
  }

  static async build(options: BuildOptions): Promise<{ workspace: WorkspaceGraph; stats: BuildStats }> {
    const t0 = performance.now();
    const workspace = new WorkspaceGraph(options);
    const { source, scanner, signal, onProgress } = options;
    checkAborted(signal);
    const [files, cached] = await Promise.all([source.listFiles(signal), loadCache(options)]);
    const t1 = performance.now();
    checkAborted(signal);
    onProgress?.({ phase: 'list', done: files.length, total: files.length });
    const records = new Map<string, FileRecord>();
    let parsed = 0;
    const batch = Math.max(1, options.concurrency ?? 64);
    for (let i = 0; i < files.length; i += batch) {
      checkAborted(signal);
      const slice = files.slice(i, i + batch);
      const texts = await Promise.all(slice.map((f) => source.readFile(f)));
      slice.forEach((file, j) => {
        const text = texts[j];
        if (text === undefined) return;
        const hash = contentHash(text);
        const old = cached?.[file];
        if (old && old.hash === hash) {
          records.set(file, old);
        } else {
          records.set(file, { hash, imports: scanner.scanImports(file, text) });
          parsed++;
        }
      });
      onProgress?.({ phase: 'scan', done: Math.min(i + batch, files.length), total: files.length });
    }
    const t2 = performance.now();
    checkAborted(signal);
    workspace.graph.load(records);
    onProgress?.({ phase: 'resolve', done: records.size, total: records.size });
    const t3 = performance.now();
    return {
      workspace,
      stats: { files: records.size, parsed, reused: records.size - parsed, listMs: t1 - t0, scanMs: t2 - t1, resolveMs: t3 - t2, totalMs: t3 - t0 },
    };
  }

  /** Re-reads one file (after a save, create or delete) and updates its edges. */
  async update(file: string): Promise<UpdateOutcome> {
    const text = await this.options.source.readFile(file);
    if (text === undefined) return this.remove(file);
    return this.updateText(file, text);
  }

  /** Updates one file from text already in hand (an unsaved editor, a benchmark). */
  updateText(file: string, text: string): UpdateOutcome {
    const hash = contentHash(text);
    const old = this.graph.record(file);
    if (old?.hash === hash) return 'unchanged';
    // The text in hand is the file's text now (it may not be on disk: a plan's integrated tree).
    this.texts.set(file, text);
    this.graph.set(file, { hash, imports: this.options.scanner.scanImports(file, text) });
    return old ? 'updated' : 'added';
  }

  remove(file: string): UpdateOutcome {
    if (!this.graph.has(file)) return 'unchanged';
    this.texts.delete(file);
    this.graph.remove(file);
    return 'removed';
  }

  /** The file's current text (read once, kept until the file changes). */
  async text(file: string): Promise<string | undefined> {
    const hit = this.texts.get(file);
    if (hit !== undefined) return hit;
    const text = await this.options.source.readFile(file);
    if (text !== undefined) this.texts.set(file, text);
    return text;
  }

  /** Exported symbols of a file, parsed on first request and kept with the file's record. */
  async exportsOf(file: string): Promise<readonly ExportedSymbol[]> {
    const record = this.graph.record(file);
    if (!record) return [];
    if (record.exports) return record.exports;
    const text = await this.text(file);
    if (text === undefined) return [];
    record.exports = this.options.scanner.scanExports(file, text);
    return record.exports;
  }

  /** Parses the exports of every file not parsed yet (for a repo map or a task search). */
  async loadAllExports(signal?: AbortSignal): Promise<void> {
    for (const file of this.graph.files()) {
      checkAborted(signal);
      await this.exportsOf(file);
    }
  }

  snapshot(): GraphCacheSnapshot {
    const files: Record<string, FileRecord> = {};
    for (const f of this.graph.files()) files[f] = this.graph.record(f)!;
    return { version: GRAPH_CACHE_VERSION, scanner: this.options.scanner.version, files };
  }

  async save(): Promise<void> {
    await this.options.cache?.save(this.snapshot());
  }
}

async function loadCache(options: BuildOptions): Promise<Readonly<Record<string, FileRecord>> | undefined> {
  const snap = await options.cache?.load();
  if (!snap || snap.version !== GRAPH_CACHE_VERSION || snap.scanner !== options.scanner.version) return undefined;
  return snap.files;
}
