import { promises as fs } from 'node:fs';
import { LocalIndex } from 'vectra';
import type { LlmResponse } from '../../core/llm/llmClient';
import type { SemanticEntryMeta, VectorIndex } from '../../core/cache/semanticCache';

/**
 * The L3 vector index: a vectra `LocalIndex` (one `index.json` in a folder of workspace storage).
 * vectra allows one update at a time, so every write goes through one promise chain. Metadata
 * values must be scalars, so paths and the response are stored as JSON strings. An index file that
 * cannot be read is deleted and recreated with a warning — a broken cache never stops a run.
 */

type Meta = {
  key: string; embedder: string; agent: string; taskType: string; tier: number; fingerprint: string;
  query: string; trusted: boolean; paths: string; response: string;
};

export interface VectraIndexOptions {
  readonly onWarning?: (reason: 'cache_file_corrupt', details: Readonly<Record<string, string>>) => void;
}

export class VectraIndex implements VectorIndex {
  private readonly index: LocalIndex<Meta>;
  private chain: Promise<unknown> = Promise.resolve();
  private opened: Promise<void> | undefined;

  constructor(private readonly folder: string, private readonly options: VectraIndexOptions = {}) {
    this.index = new LocalIndex<Meta>(folder);
  }

  /** Opens (creating or, when corrupt, recreating) the index once. */
  open(): Promise<void> {
    this.opened ??= (async () => {
      if (await this.index.isIndexCreated()) {
        try {
          await this.index.getIndexStats();
          return;
        } catch (error) {
          this.options.onWarning?.('cache_file_corrupt', { layer: 'L3', error: error instanceof Error ? error.message : String(error) });
          await fs.rm(this.folder, { recursive: true, force: true });
        }
      }
      await this.index.createIndex({ version: 1, deleteIfExists: true });
    })();
    return this.opened;
  }

  private write<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(async () => {
      await this.open();
      return fn();
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  upsert(id: string, vector: number[], meta: SemanticEntryMeta): Promise<void> {
    return this.write(async () => {
      await this.index.upsertItem({ id, vector, metadata: toMeta(meta) });
    });
  }

  /** Many entries in one update (one file write), for loading and benchmarks. */
  insertMany(items: ReadonlyArray<{ id: string; vector: number[]; meta: SemanticEntryMeta }>): Promise<void> {
    return this.write(async () => {
      await this.index.batchInsertItems(items.map((i) => ({ id: i.id, vector: i.vector, metadata: toMeta(i.meta) })));
    });
  }

  async query(vector: number[], filter: { agent: string; taskType: string; embedder: string }, topK: number): Promise<Array<{ meta: SemanticEntryMeta; score: number }>> {
    await this.open();
    const found = await this.index.queryItems(vector, '', topK, { agent: { $eq: filter.agent }, taskType: { $eq: filter.taskType }, embedder: { $eq: filter.embedder } });
    return found.map((r) => ({ meta: fromMeta(r.item.metadata), score: r.score }));
  }

  async get(id: string): Promise<SemanticEntryMeta | undefined> {
    await this.open();
    const item = await this.index.getItem(id);
    return item ? fromMeta(item.metadata) : undefined;
  }

  setTrusted(id: string, trusted: boolean): Promise<boolean> {
    return this.write(async () => {
      const item = await this.index.getItem(id);
      if (!item) return false;
      await this.index.upsertItem({ id, vector: item.vector, metadata: { ...item.metadata, trusted } });
      return true;
    });
  }

  deleteByPaths(paths: readonly string[]): Promise<number> {
    const changed = new Set(paths);
    return this.write(async () => {
      const doomed = (await this.index.listItems()).filter((i) => (JSON.parse(i.metadata.paths) as string[]).some((p) => changed.has(p)));
      if (doomed.length === 0) return 0;
      await this.index.beginUpdate();
      for (const item of doomed) await this.index.deleteItem(item.id);
      await this.index.endUpdate();
      return doomed.length;
    });
  }

  clear(): Promise<void> {
    return this.write(() => this.index.createIndex({ version: 1, deleteIfExists: true }));
  }

  async size(): Promise<number> {
    await this.open();
    return (await this.index.getIndexStats()).items;
  }
}

function toMeta(m: SemanticEntryMeta): Meta {
  return {
    key: m.key, embedder: m.embedder, agent: m.agent, taskType: m.taskType, tier: m.tier, fingerprint: m.fingerprint,
    query: m.query, trusted: m.trusted, paths: JSON.stringify(m.paths), response: JSON.stringify(m.response),
  };
}

function fromMeta(m: Meta): SemanticEntryMeta {
  return {
    key: m.key, embedder: m.embedder, agent: m.agent, taskType: m.taskType, tier: m.tier, fingerprint: m.fingerprint,
    query: m.query, trusted: m.trusted, paths: JSON.parse(m.paths) as string[], response: JSON.parse(m.response) as LlmResponse,
  };
}
