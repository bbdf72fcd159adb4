import { promises as fs } from 'node:fs';
import { z } from 'zod';
import type { ExactCacheStore, ExactEntry, StoredByOthers } from '../../core/cache/exactCache';
import type { LlmResponse } from '../../core/llm/llmClient';
import { readJsonFile, writeFileAtomic } from '../storage/atomicFile';
import { FileLock, type FileLockOptions } from '../storage/fileLock';

/**
 * The L2 cache as one JSON file in workspace storage (`cache/exact.json`), written atomically so a
 * crash or a second window never leaves half a file. A file that fails to parse or validate is
 * reported as corrupt (the cache discards it with a warning) — never thrown.
 * Several windows over one workspace write the same file: `update` merges under a lock file
 * (FileLock) and reads the file only when someone else replaced it since this store's last write
 * (a new inode, size or mtime: every write is a rename). `generation` counts clears, so a clear in one window is
 * followed by the others instead of being undone by their next write.
 */

const FILE_VERSION = 1;

const UsageSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheCreationInputTokens: z.number(),
  cacheReadInputTokens: z.number(),
  cacheCreation5mTokens: z.number(),
  cacheCreation1hTokens: z.number(),
});

/** One stored entry (the team's Redis store validates its values with it too). */
export const EntrySchema = z.object({
  key: z.string().regex(/^[0-9a-f]{64}$/),
  expiresAt: z.number(),
  paths: z.array(z.string()),
  response: z.object({
    model: z.string(),
    text: z.string(),
    stopReason: z.enum(['end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'refusal', 'pause_turn', 'other']),
    usage: UsageSchema,
    requestId: z.string().optional(),
    durationMs: z.number(),
  }).passthrough(),
});

const FileSchema = z.object({ version: z.literal(FILE_VERSION), generation: z.number().int().nonnegative().optional(), entries: z.array(EntrySchema) });

type Read = { readonly kind: 'missing' } | { readonly kind: 'corrupt'; readonly error: string } | { readonly kind: 'ok'; readonly entries: readonly ExactEntry[]; readonly generation: number };

export class FileExactCacheStore implements ExactCacheStore {
  private readonly lock: FileLock;
  /** The generation this store last read or wrote, and what its last write looked like on disk. */
  private generation = 0;
  private written: string | undefined;

  constructor(private readonly file: string, options: FileLockOptions = {}) {
    this.lock = new FileLock(options);
  }

  async load(): Promise<Awaited<ReturnType<ExactCacheStore['load']>>> {
    const read = await this.read();
    if (read.kind === 'ok') this.generation = read.generation;
    return read;
  }

  save(entries: readonly ExactEntry[]): Promise<void> {
    return this.update(() => entries);
  }

  update(merge: (others: StoredByOthers) => readonly ExactEntry[], options: { readonly clear?: boolean } = {}): Promise<void> {
    return this.lock.with(this.file, async () => {
      const now = await this.signature();
      const replaced = now !== undefined && now !== this.written;
      const read: Read = replaced ? await this.read() : { kind: 'missing' };
      const onDisk = read.kind === 'ok' ? read : { entries: [], generation: this.generation };
      const cleared = onDisk.generation > this.generation;
      const entries = merge({ entries: onDisk.entries, cleared });
      const generation = Math.max(onDisk.generation, this.generation) + (options.clear ? 1 : 0);
      await writeFileAtomic(this.file, JSON.stringify({ version: FILE_VERSION, generation, entries }));
      this.generation = generation;
      this.written = await this.signature();
    });
  }

  /** Inode, size and mtime: a rename by another writer changes at least one (inodes get reused). */
  private signature(): Promise<string | undefined> {
    return fs.stat(this.file).then((s) => `${s.ino}:${s.size}:${s.mtimeMs}`, () => undefined);
  }

  private async read(): Promise<Read> {
    const read = await readJsonFile(this.file, (v) => FileSchema.parse(v));
    if (read.kind !== 'ok') return read;
    const entries: ExactEntry[] = read.value.entries.map((e) => ({
      key: e.key,
      expiresAt: e.expiresAt,
      paths: e.paths,
      response: e.response as LlmResponse,
    }));
    return { kind: 'ok', entries, generation: read.value.generation ?? 0 };
  }
}
