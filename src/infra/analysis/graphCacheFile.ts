import path from 'node:path';
import type { FileRecord } from '../../core/analysis/graphTypes';
import type { GraphCacheSnapshot, GraphCacheStore } from '../../core/analysis/workspaceGraph';
import { readJsonFile, writeFileAtomic } from '../storage/atomicFile';

function isRecord(value: unknown): value is FileRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as { hash?: unknown; imports?: unknown };
  return typeof r.hash === 'string' && Array.isArray(r.imports);
}

function parseSnapshot(value: unknown): GraphCacheSnapshot {
  const v = value as Partial<GraphCacheSnapshot> | null;
  if (!v || typeof v.version !== 'number' || typeof v.scanner !== 'string' || typeof v.files !== 'object' || v.files === null) {
    throw new Error('not a dependency-graph cache');
  }
  for (const [file, rec] of Object.entries(v.files)) if (!isRecord(rec)) throw new Error(`bad record for ${file}`);
  return v as GraphCacheSnapshot;
}

/**
 * The graph cache as one JSON file in workspace storage, written atomically. Records are keyed
 * by file and carry the content hash, so a stale record is simply re-parsed; a corrupt or
 * foreign file is ignored (reported through `onCorrupt`) and rebuilt.
 */
export class GraphCacheFile implements GraphCacheStore {
  readonly file: string;

  constructor(dir: string, private readonly onCorrupt?: (error: string) => void) {
    this.file = path.join(dir, 'dependency-graph.json');
  }

  async load(): Promise<GraphCacheSnapshot | undefined> {
    const read = await readJsonFile(this.file, parseSnapshot);
    if (read.kind === 'corrupt') this.onCorrupt?.(read.error);
    return read.kind === 'ok' ? read.value : undefined;
  }

  async save(snapshot: GraphCacheSnapshot): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(snapshot));
  }
}
