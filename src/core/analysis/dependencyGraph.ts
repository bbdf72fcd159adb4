import type { FileRecord, GraphEdge, ImportRecord } from './graphTypes';
import { ModuleResolver, type ResolverOptions } from './moduleResolver';

export interface EdgeFilter {
  /** Include `import type` edges (default true). */
  readonly typeOnly?: boolean;
  /** Include external packages (default true for dependencies). */
  readonly external?: boolean;
}

/**
 * Files, their resolved edges and the reverse index, with the queries agents need. Mutations keep
 * the edges of every other file consistent: adding a file re-resolves only the files with an
 * unresolved or external specifier (they are the only ones a new file can capture); removing one
 * re-resolves only its dependants.
 */
export class DependencyGraph {
  private readonly records = new Map<string, FileRecord>();
  private readonly out = new Map<string, GraphEdge[]>();
  private readonly into = new Map<string, Set<string>>();
  /** Files with at least one import that did not resolve to a local file. */
  private readonly nonLocal = new Set<string>();
  private readonly unresolvedByFile = new Map<string, ImportRecord[]>();
  readonly resolver: ModuleResolver;

  constructor(options: ResolverOptions = {}) {
    this.resolver = new ModuleResolver((f) => this.records.has(f), options);
  }

  get size(): number {
    return this.records.size;
  }

  files(): string[] {
    return [...this.records.keys()];
  }

  has(file: string): boolean {
    return this.records.has(file);
  }

  record(file: string): FileRecord | undefined {
    return this.records.get(file);
  }

  /** Loads many records at once (a build), then resolves every edge. */
  load(records: Iterable<[string, FileRecord]>): void {
    for (const [file, rec] of records) this.records.set(file, rec);
    for (const file of this.records.keys()) this.link(file);
  }

  /** Adds or replaces one file's record and re-resolves what it can affect. */
  set(file: string, record: FileRecord): void {
    const added = !this.records.has(file);
    this.records.set(file, record);
    this.link(file);
    if (added) {
      this.resolver.invalidate({ added: file });
      for (const other of [...this.nonLocal]) if (other !== file) this.link(other);
    }
  }

  remove(file: string): void {
    if (!this.records.has(file)) return;
    const dependants = this.dependants(file);
    this.unlink(file);
    this.records.delete(file);
    this.resolver.invalidate({ removed: file });
    for (const d of dependants) if (d !== file) this.link(d);
  }

  /** What `file` imports, in source order (one edge per import statement). */
  dependencies(file: string, filter: EdgeFilter = {}): GraphEdge[] {
    return (this.out.get(file) ?? []).filter((e) => ((filter.typeOnly ?? true) || !e.typeOnly) && ((filter.external ?? true) || !e.external));
  }

  /** Imports of `file` that resolved to nothing (a missing file, a non-source asset). */
  unresolved(file: string): readonly ImportRecord[] {
    return this.unresolvedByFile.get(file) ?? [];
  }

  /** Local files that import `file`, sorted. */
  dependants(file: string): string[] {
    return [...(this.into.get(file)?.keys() ?? [])].sort();
  }

  /** Every file that can be affected by a change to `files`: their transitive dependants, the files themselves excluded. */
  impactSet(files: readonly string[], filter: EdgeFilter = {}): string[] {
    const seen = new Set(files);
    const queue = [...files];
    const result: string[] = [];
    while (queue.length > 0) {
      const current = queue.pop()!;
      for (const d of this.into.get(current)?.keys() ?? []) {
        if (seen.has(d)) continue;
        if (filter.typeOnly === false && this.dependencies(d, { typeOnly: false }).every((e) => e.to !== current)) continue;
        seen.add(d);
        result.push(d);
        queue.push(d);
      }
    }
    return result.sort();
  }

  /** Local files reachable from `files` along import edges (the files themselves excluded). */
  reachable(files: readonly string[], filter: EdgeFilter = {}): string[] {
    const seen = new Set(files);
    const queue = [...files];
    while (queue.length > 0) {
      for (const e of this.dependencies(queue.pop()!, { ...filter, external: false })) {
        if (!seen.has(e.to)) {
          seen.add(e.to);
          queue.push(e.to);
        }
      }
    }
    for (const f of files) seen.delete(f);
    return [...seen].sort();
  }

  /** Import cycles: strongly connected components with more than one file, or a file importing itself (iterative Tarjan). */
  cycles(filter: EdgeFilter = {}): string[][] {
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const result: string[][] = [];
    let counter = 0;
    const successors = (f: string) => [...new Set(this.dependencies(f, { ...filter, external: false }).map((e) => e.to))];
    for (const start of [...this.records.keys()].sort()) {
      if (index.has(start)) continue;
      const work: Array<{ node: string; next: string[]; i: number }> = [];
      const enter = (node: string) => {
        index.set(node, counter);
        low.set(node, counter++);
        stack.push(node);
        onStack.add(node);
        work.push({ node, next: successors(node), i: 0 });
      };
      enter(start);
      while (work.length > 0) {
        const frame = work[work.length - 1]!;
        if (frame.i < frame.next.length) {
          const w = frame.next[frame.i++]!;
          if (!index.has(w)) enter(w);
          else if (onStack.has(w)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(w)!));
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
        if (low.get(frame.node) === index.get(frame.node)) {
          const component: string[] = [];
          let w: string;
          do {
            w = stack.pop()!;
            onStack.delete(w);
            component.push(w);
          } while (w !== frame.node);
          if (component.length > 1 || successors(frame.node).includes(frame.node)) result.push(component.sort());
        }
      }
    }
    return result.sort((a, b) => b.length - a.length || a[0]!.localeCompare(b[0]!));
  }

  /** `{ file: [local files and packages it imports] }`, deduplicated and sorted: the CLI's and madge's shape. */
  adjacency(filter: EdgeFilter = {}): Record<string, string[]> {
    const result: Record<string, string[]> = {};
    for (const file of [...this.records.keys()].sort()) {
      result[file] = [...new Set(this.dependencies(file, filter).map((e) => e.to))].sort();
    }
    return result;
  }

  private link(file: string): void {
    this.unlink(file);
    const record = this.records.get(file);
    if (!record) return;
    const edges: GraphEdge[] = [];
    const unresolved: ImportRecord[] = [];
    let multi = false;
    for (const imp of record.imports) {
      const r = this.resolver.resolve(imp.specifier, file);
      if (r.kind === 'unresolved') {
        unresolved.push(imp);
        continue;
      }
      const local = r.kind === 'local';
      // A file set (a Go package; Python's `from X import n` landing on X) can change when a file is
      // added, so its importers are re-linked like unresolved ones.
      if (local && r.files) multi = true;
      for (const to of local ? (r.files ?? [r.file]) : [r.pkg]) {
        edges.push({ from: file, to, external: !local, kind: imp.kind, typeOnly: imp.typeOnly, specifier: imp.specifier, names: imp.names });
        if (local) {
          const importers = this.into.get(to) ?? new Set<string>();
          importers.add(file);
          this.into.set(to, importers);
        }
      }
    }
    this.out.set(file, edges);
    if (unresolved.length > 0) this.unresolvedByFile.set(file, unresolved);
    if (unresolved.length > 0 || multi || edges.some((e) => e.external)) this.nonLocal.add(file);
  }

  private unlink(file: string): void {
    for (const e of this.out.get(file) ?? []) {
      if (e.external) continue;
      const importers = this.into.get(e.to);
      importers?.delete(file);
      if (importers?.size === 0) this.into.delete(e.to);
    }
    this.out.delete(file);
    this.unresolvedByFile.delete(file);
    this.nonLocal.delete(file);
  }
}
