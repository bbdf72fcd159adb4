import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LocalIndex } from 'vectra';
import type { LlmResponse } from '../../core/llm/llmClient';
import type { SemanticEntryMeta, VectorIndex } from '../../core/cache/semanticCache';
import { PackedVectors } from './packedVectors';

/**
 * The L3 vector index: vectra `LocalIndex`es in a folder of workspace storage, one per
 * (agent, task type, embedder). The first guard is a partition key, so a lookup scores only its
 * own partition. Queries scan a packed copy of the partition (packedVectors.ts) kept in step with
 * every write: vectra's own scan costs ~45 ms over 50k entries in one index and still ~8 ms per
 * partition of a few thousand; vectra stays the storage.
 * vectra allows one update at a time per index, so every write goes through one promise chain.
 * Metadata values must be scalars, so paths and the response are stored as JSON strings. vectra
 * writes `index.json` in place; a partition that cannot be read is deleted and recreated with a
 * warning — a broken cache never stops a run.
 * A partition holds at most `maxPerPartition` entries: past it, the oldest untrusted entries go
 * first, then the oldest trusted ones, down to 90 % (so evictions come in batches). That bounds
 * the storage and the cost of a write, which rewrites the whole partition.
 */

export const MAX_PER_PARTITION = 5_000;

type Meta = {
  key: string; embedder: string; agent: string; taskType: string; tier: number; fingerprint: string;
  query: string; trusted: boolean; paths: string; response: string;
  /** Milliseconds since the epoch; absent in entries written before the bound existed (oldest). */
  storedAt?: number;
};

export interface VectraIndexOptions {
  readonly onWarning?: (reason: 'cache_file_corrupt', details: Readonly<Record<string, string>>) => void;
  /** Entries per (agent, task type, embedder) partition (default MAX_PER_PARTITION). */
  readonly maxPerPartition?: number;
  readonly now?: () => number;
}

interface Partition { readonly agent: string; readonly taskType: string; readonly embedder: string }

export class VectraIndex implements VectorIndex {
  private readonly partitions = new Map<string, Promise<LocalIndex<Meta>>>();
  private readonly mirrors = new Map<string, PackedVectors<Meta>>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly folder: string, private readonly options: VectraIndexOptions = {}) {}

  private static nameOf(p: Partition): string {
    return [p.agent, p.taskType, p.embedder].map((s) => s.replace(/[^A-Za-z0-9_-]+/g, '_')).join('.');
  }

  /** Opens (creating or, when corrupt, recreating) one partition, once. */
  private partition(name: string, create: boolean): Promise<LocalIndex<Meta>> | undefined {
    const known = this.partitions.get(name);
    if (known || !create) return known;
    const opening = (async () => {
      const dir = path.join(this.folder, name);
      const index = new LocalIndex<Meta>(dir);
      if (await index.isIndexCreated()) {
        try {
          await index.getIndexStats();
          return index;
        } catch (error) {
          this.options.onWarning?.('cache_file_corrupt', { layer: 'L3', partition: name, error: error instanceof Error ? error.message : String(error) });
          await fs.rm(dir, { recursive: true, force: true });
        }
      }
      const fresh = new LocalIndex<Meta>(dir);
      await fresh.createIndex({ version: 1, deleteIfExists: true });
      return fresh;
    })();
    this.partitions.set(name, opening);
    return opening;
  }

  /** Every partition on disk and in memory. */
  private async all(): Promise<Array<LocalIndex<Meta>>> {
    const names = await fs.readdir(this.folder, { withFileTypes: true }).then((d) => d.filter((e) => e.isDirectory()).map((e) => e.name), () => []);
    for (const n of names) void this.partition(n, true);
    return Promise.all(this.partitions.values());
  }

  private write<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  upsert(id: string, vector: number[], meta: SemanticEntryMeta): Promise<void> {
    return this.write(async () => {
      const name = VectraIndex.nameOf(meta);
      const index = await this.partition(name, true)!;
      const metadata = { ...toMeta(meta), storedAt: this.now() };
      await index.upsertItem({ id, vector, metadata });
      this.mirrors.get(name)?.set(id, vector, metadata);
      await this.evictIfFull(name, index);
    });
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Past the bound: untrusted before trusted, oldest first, down to 90 % of it. */
  private async evictIfFull(name: string, index: LocalIndex<Meta>): Promise<void> {
    const max = this.options.maxPerPartition ?? MAX_PER_PARTITION;
    if ((await index.getIndexStats()).items <= max) return;
    const items = await index.listItems();
    const order = (m: Meta) => [m.trusted ? 1 : 0, m.storedAt ?? 0] as const;
    const doomed = [...items]
      .sort((a, b) => {
        const [ta, sa] = order(a.metadata);
        const [tb, sb] = order(b.metadata);
        return ta - tb || sa - sb;
      })
      .slice(0, items.length - Math.floor(max * 0.9));
    await index.beginUpdate();
    for (const item of doomed) await index.deleteItem(item.id);
    await index.endUpdate();
    this.mirrors.delete(name);
  }

  /** Many new entries, one file write per partition, for loading and benchmarks. */
  insertMany(items: ReadonlyArray<{ id: string; vector: number[]; meta: SemanticEntryMeta }>): Promise<void> {
    return this.write(async () => {
      const groups = new Map<string, typeof items[number][]>();
      for (const i of items) {
        const name = VectraIndex.nameOf(i.meta);
        groups.set(name, [...(groups.get(name) ?? []), i]);
      }
      for (const [name, group] of groups) {
        const index = await this.partition(name, true)!;
        const storedAt = this.now();
        await index.batchInsertItems(group.map((i) => ({ id: i.id, vector: i.vector, metadata: { ...toMeta(i.meta), storedAt } })));
        for (const i of group) this.mirrors.get(name)?.set(i.id, i.vector, { ...toMeta(i.meta), storedAt });
        await this.evictIfFull(name, index);
      }
    });
  }

  async query(vector: number[], filter: Partition, topK: number): Promise<Array<{ meta: SemanticEntryMeta; score: number }>> {
    const name = VectraIndex.nameOf(filter);
    const exists = this.partitions.has(name) || (await fs.stat(path.join(this.folder, name)).then(() => true, () => false));
    if (!exists) return [];
    const mirror = this.mirrors.get(name) ?? (await this.mirror(name, vector.length));
    return mirror.top(vector, topK).map((r) => ({ meta: fromMeta(r.meta), score: r.score }));
  }

  /** Built from the partition's items on first query; writes keep it in step afterwards. */
  private mirror(name: string, dims: number): Promise<PackedVectors<Meta>> {
    return this.write(async () => {
      const known = this.mirrors.get(name);
      if (known) return known;
      const items = await (await this.partition(name, true)!).listItems();
      const mirror = new PackedVectors<Meta>(items[0]?.vector.length ?? dims, Math.max(64, items.length));
      for (const item of items) mirror.set(item.id, item.vector, item.metadata);
      this.mirrors.set(name, mirror);
      return mirror;
    });
  }

  async get(id: string): Promise<SemanticEntryMeta | undefined> {
    for (const index of await this.all()) {
      const item = await index.getItem(id);
      if (item) return fromMeta(item.metadata);
    }
    return undefined;
  }

  setTrusted(id: string, trusted: boolean): Promise<boolean> {
    return this.write(async () => {
      for (const index of await this.all()) {
        const item = await index.getItem(id);
        if (!item) continue;
        const metadata = { ...item.metadata, trusted };
        await index.upsertItem({ id, vector: item.vector, metadata });
        this.mirrors.get(VectraIndex.nameOf(metadata))?.setMeta(id, metadata);
        return true;
      }
      return false;
    });
  }

  deleteByPaths(paths: readonly string[]): Promise<number> {
    const changed = new Set(paths);
    return this.write(async () => {
      let n = 0;
      for (const index of await this.all()) {
        const doomed = (await index.listItems()).filter((i) => (JSON.parse(i.metadata.paths) as string[]).some((p) => changed.has(p)));
        if (doomed.length === 0) continue;
        await index.beginUpdate();
        for (const item of doomed) await index.deleteItem(item.id);
        await index.endUpdate();
        this.mirrors.clear();
        n += doomed.length;
      }
      return n;
    });
  }

  clear(): Promise<void> {
    return this.write(async () => {
      this.partitions.clear();
      this.mirrors.clear();
      await fs.rm(this.folder, { recursive: true, force: true });
    });
  }

  async size(): Promise<number> {
    let n = 0;
    for (const index of await this.all()) n += (await index.getIndexStats()).items;
    return n;
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
