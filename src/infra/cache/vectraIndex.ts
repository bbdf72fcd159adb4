import { promises as fs } from 'node:fs';
import path from 'node:path';
import type * as Vectra from 'vectra';
import type { LocalIndex } from 'vectra';
import type { LlmResponse } from '../../core/llm/llmClient';
import type { SemanticEntryMeta, SemanticEntrySummary, VectorIndex } from '../../core/cache/semanticCache';
import { writeFileAtomic } from '../storage/atomicFile';
import { FileLock, type FileLockOptions } from '../storage/fileLock';
import { PackedVectors } from './packedVectors';

/**
 * The L3 vector index: vectra `LocalIndex`es in a folder of workspace storage, one per
 * (agent, task type, embedder). The first guard is a partition key, so a lookup scores only its
 * own partition. Queries scan a packed copy of the partition (packedVectors.ts) kept in step with
 * every write: vectra's own scan costs ~45 ms over 50k entries in one index and still ~8 ms per
 * partition of a few thousand; vectra stays the storage.
 * vectra allows one update at a time per index, so every write goes through one promise chain, and
 * through a lock file beside the partition, since other VS Code windows on the workspace write the
 * same partitions: a partition another window changed is read again before it is used.
 * Metadata values must be scalars, so paths are stored as a JSON string. Answers are kept apart, one
 * file each (`<partition>/answers/<key>.json`, written atomically before the entry): every write
 * of vectra re-serialises the whole `index.json`, so keeping answers out of it makes writes several
 * times cheaper, and a lookup reads an answer only for a hit or a hint. (Entries written before
 * carry the answer inline and are still read.) vectra writes `index.json` in place; a partition that cannot be read is deleted and recreated with a
 * warning — a broken cache never stops a run.
 * A partition holds at most `maxPerPartition` entries: past it, the oldest untrusted entries go
 * first, then the oldest trusted ones, down to 90 % (so evictions come in batches). That bounds
 * the storage and the cost of a write, which rewrites the whole partition.
 */

export const MAX_PER_PARTITION = 1_000;

/**
 * vectra is loaded when the first partition is opened, not with this module: with its wink NLP
 * model, gpt-tokenizer, cheerio and axios it takes half a second or more to `require`, and a
 * window that never reaches L3 should not pay it. The extension build keeps it in its own bundle,
 * `dist/vectra.js` (esbuild.mjs, `LAZY_PACKAGES`), which this `import()` then loads.
 */
let vectra: Promise<typeof Vectra> | undefined;
function loadVectra(): Promise<typeof Vectra> {
  // The bundle is CommonJS: `import()` of it gives its exports as `default` (named ones only
  // where Node's lexer can see them), while the package itself gives them by name.
  return (vectra ??= import('vectra').then((m) => ((m as { default?: typeof Vectra }).default ?? m)));
}

type Meta = {
  key: string; embedder: string; agent: string; taskType: string; tier: number; fingerprint: string;
  /** The answer as JSON in entries written before answers moved to their own files; '' since. */
  query: string; trusted: boolean; paths: string; response: string;
  /** Milliseconds since the epoch; absent in entries written before the bound existed (oldest). */
  storedAt?: number;
};

export interface VectraIndexOptions {
  readonly onWarning?: (reason: 'cache_file_corrupt', details: Readonly<Record<string, string>>) => void;
  /** The cross-window lock of each partition (FileLock defaults). */
  readonly lock?: FileLockOptions;
  /** Entries per (agent, task type, embedder) partition (default MAX_PER_PARTITION). */
  readonly maxPerPartition?: number;
  readonly now?: () => number;
}

interface Partition { readonly agent: string; readonly taskType: string; readonly embedder: string }

export class VectraIndex implements VectorIndex {
  /** Open partitions, with the signature of their index.json when this window last read or wrote it. */
  private readonly open = new Map<string, { index: LocalIndex<Meta>; seen: string | undefined }>();
  private readonly mirrors = new Map<string, PackedVectors<Meta>>();
  private chain: Promise<unknown> = Promise.resolve();
  private readonly lock: FileLock;

  constructor(private readonly folder: string, private readonly options: VectraIndexOptions = {}) {
    this.lock = new FileLock(options.lock);
  }

  private static nameOf(p: Partition): string {
    return [p.agent, p.taskType, p.embedder].map((s) => s.replace(/[^A-Za-z0-9_-]+/g, '_')).join('.');
  }

  /** Inode, size and mtime of the partition's index.json; undefined when there is none. */
  private signature(name: string): Promise<string | undefined> {
    return fs.stat(path.join(this.folder, name, 'index.json')).then((s) => `${s.ino}:${s.size}:${s.mtimeMs}`, () => undefined);
  }

  /**
   * The partition as it is on disk now; call it holding the partition's lock. Opened on first use,
   * read again when another window wrote it since, recreated (with a warning) when it cannot be
   * read, and — with `create` — made when it does not exist (never made, or cleared).
   */
  private async current(name: string, create: boolean): Promise<LocalIndex<Meta> | undefined> {
    const now = await this.signature(name);
    const known = this.open.get(name);
    if (known && now !== undefined && known.seen === now) return known.index;
    this.mirrors.delete(name);
    this.open.delete(name);
    const dir = path.join(this.folder, name);
    const { LocalIndex } = await loadVectra();
    if (now !== undefined) {
      const index = new LocalIndex<Meta>(dir);
      try {
        await index.getIndexStats();
        this.open.set(name, { index, seen: now });
        return index;
      } catch (error) {
        this.options.onWarning?.('cache_file_corrupt', { layer: 'L3', partition: name, error: error instanceof Error ? error.message : String(error) });
        await fs.rm(dir, { recursive: true, force: true });
      }
    }
    if (!create) return undefined;
    const fresh = new LocalIndex<Meta>(dir);
    await fresh.createIndex({ version: 1, deleteIfExists: true });
    this.open.set(name, { index: fresh, seen: await this.signature(name) });
    return fresh;
  }

  /**
   * Work on one partition: one at a time in this window (vectra allows one update at a time per
   * index) and, through `<partition>.lock` beside it, across windows — vectra writes index.json in
   * place, so an unguarded reader in another window could see half a file.
   */
  private withPartition<T>(name: string, create: boolean, fn: (index: LocalIndex<Meta>) => Promise<T>): Promise<T | undefined> {
    const next = this.chain.then(() => this.lock.with(path.join(this.folder, name), async () => {
      const index = await this.current(name, create);
      if (!index) return undefined;
      const result = await fn(index);
      const open = this.open.get(name);
      if (open) open.seen = await this.signature(name);
      return result;
    }));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Partitions on disk and open here. */
  private async names(): Promise<string[]> {
    const onDisk = await fs.readdir(this.folder, { withFileTypes: true }).then((d) => d.filter((e) => e.isDirectory()).map((e) => e.name), () => []);
    return [...new Set([...onDisk, ...this.open.keys()])].sort();
  }

  async upsert(id: string, vector: number[], meta: SemanticEntryMeta): Promise<void> {
    const name = VectraIndex.nameOf(meta);
    await this.withPartition(name, true, async (index) => {
      await writeFileAtomic(this.answerFile(name, id), JSON.stringify(meta.response));
      const metadata = { ...toMeta(meta), storedAt: this.now() };
      await index.upsertItem({ id, vector, metadata });
      this.mirrors.get(name)?.set(id, vector, metadata);
      await this.evictIfFull(name, index);
    });
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private answerFile(name: string, id: string): string {
    return path.join(this.folder, name, 'answers', `${encodeURIComponent(id)}.json`);
  }

  private async dropAnswers(name: string, ids: readonly string[]): Promise<void> {
    await Promise.all(ids.map((id) => fs.rm(this.answerFile(name, id), { force: true })));
  }

  async answer(entry: SemanticEntrySummary): Promise<LlmResponse | undefined> {
    const name = VectraIndex.nameOf(entry);
    const text = await fs.readFile(this.answerFile(name, entry.key), 'utf8').catch(() => undefined);
    // An entry from before answers had their own files carries it inline.
    const inline = text === undefined ? await this.withPartition(name, false, async (index) => (await index.getItem(entry.key))?.metadata.response) : undefined;
    const json = text ?? inline;
    if (!json) return undefined;
    try {
      return JSON.parse(json) as LlmResponse;
    } catch {
      return undefined;
    }
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
    await this.dropAnswers(name, doomed.map((i) => i.id));
    this.mirrors.delete(name);
  }

  /** Many new entries, one file write per partition, for loading and benchmarks. */
  async insertMany(items: ReadonlyArray<{ id: string; vector: number[]; meta: SemanticEntryMeta }>): Promise<void> {
    const groups = new Map<string, typeof items[number][]>();
    for (const i of items) {
      const name = VectraIndex.nameOf(i.meta);
      groups.set(name, [...(groups.get(name) ?? []), i]);
    }
    for (const [name, group] of groups) {
      await this.withPartition(name, true, async (index) => {
        // A bulk load (benchmarks): answers written without fsync, a few at a time.
        await fs.mkdir(path.join(this.folder, name, 'answers'), { recursive: true });
        for (let i = 0; i < group.length; i += 64) {
          await Promise.all(group.slice(i, i + 64).map((g) => fs.writeFile(this.answerFile(name, g.id), JSON.stringify(g.meta.response))));
        }
        const storedAt = this.now();
        await index.batchInsertItems(group.map((i) => ({ id: i.id, vector: i.vector, metadata: { ...toMeta(i.meta), storedAt } })));
        for (const i of group) this.mirrors.get(name)?.set(i.id, i.vector, { ...toMeta(i.meta), storedAt });
        await this.evictIfFull(name, index);
      });
    }
  }

  async query(vector: number[], filter: Partition, topK: number): Promise<Array<{ meta: SemanticEntrySummary; score: number }>> {
    const name = VectraIndex.nameOf(filter);
    const now = await this.signature(name);
    if (now === undefined) return [];
    // The packed copy is current unless another window wrote the partition since.
    const fresh = this.open.get(name)?.seen === now ? this.mirrors.get(name) : undefined;
    const mirror = fresh ?? (await this.mirror(name, vector.length));
    return (mirror?.top(vector, topK) ?? []).map((r) => ({ meta: fromMeta(r.meta), score: r.score }));
  }

  /** Built from the partition's items when missing or stale; writes here keep it in step. */
  private mirror(name: string, dims: number): Promise<PackedVectors<Meta> | undefined> {
    return this.withPartition(name, false, async (index) => {
      const known = this.mirrors.get(name);
      if (known) return known;
      const items = await index.listItems();
      const mirror = new PackedVectors<Meta>(items[0]?.vector.length ?? dims, Math.max(64, items.length));
      for (const item of items) mirror.set(item.id, item.vector, item.metadata);
      this.mirrors.set(name, mirror);
      return mirror;
    });
  }

  async get(id: string): Promise<SemanticEntryMeta | undefined> {
    for (const name of await this.names()) {
      const item = await this.withPartition(name, false, (index) => index.getItem(id));
      if (!item) continue;
      const summary = fromMeta(item.metadata);
      const response = await this.answer(summary);
      return response ? { ...summary, response } : undefined;
    }
    return undefined;
  }

  async setTrusted(id: string, trusted: boolean): Promise<boolean> {
    for (const name of await this.names()) {
      const found = await this.withPartition(name, false, async (index) => {
        const item = await index.getItem(id);
        if (!item) return false;
        const metadata = { ...item.metadata, trusted };
        await index.upsertItem({ id, vector: item.vector, metadata });
        this.mirrors.get(name)?.setMeta(id, metadata);
        return true;
      });
      if (found) return true;
    }
    return false;
  }

  async deleteByPaths(paths: readonly string[]): Promise<number> {
    const changed = new Set(paths);
    let n = 0;
    for (const name of await this.names()) {
      n += (await this.withPartition(name, false, async (index) => {
        const doomed = (await index.listItems()).filter((i) => (JSON.parse(i.metadata.paths) as string[]).some((p) => changed.has(p)));
        if (doomed.length === 0) return 0;
        await index.beginUpdate();
        for (const item of doomed) await index.deleteItem(item.id);
        await index.endUpdate();
        await this.dropAnswers(name, doomed.map((i) => i.id));
        this.mirrors.delete(name);
        return doomed.length;
      })) ?? 0;
    }
    return n;
  }

  /** Every partition, of every window: another window finds its partitions gone and starts them anew. */
  clear(): Promise<void> {
    const next = this.chain.then(async () => {
      this.open.clear();
      this.mirrors.clear();
      await fs.rm(this.folder, { recursive: true, force: true });
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  async size(): Promise<number> {
    let n = 0;
    for (const name of await this.names()) n += (await this.withPartition(name, false, async (index) => (await index.getIndexStats()).items)) ?? 0;
    return n;
  }
}

function toMeta(m: SemanticEntryMeta): Meta {
  return {
    key: m.key, embedder: m.embedder, agent: m.agent, taskType: m.taskType, tier: m.tier, fingerprint: m.fingerprint,
    query: m.query, trusted: m.trusted, paths: JSON.stringify(m.paths), response: '',
  };
}

function fromMeta(m: Meta): SemanticEntrySummary {
  return {
    key: m.key, embedder: m.embedder, agent: m.agent, taskType: m.taskType, tier: m.tier, fingerprint: m.fingerprint,
    query: m.query, trusted: m.trusted, paths: JSON.parse(m.paths) as string[],
  };
}
