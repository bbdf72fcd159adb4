import { z } from 'zod';
import type { ExactCacheStore, ExactEntry } from '../../core/cache/exactCache';
import type { LlmResponse } from '../../core/llm/llmClient';
import { readJsonFile, writeFileAtomic } from '../storage/atomicFile';

/**
 * The L2 cache as one JSON file in workspace storage (`cache/exact.json`), written atomically so a
 * crash or a second window never leaves half a file. A file that fails to parse or validate is
 * reported as corrupt (the cache discards it with a warning) — never thrown.
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

const EntrySchema = z.object({
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

const FileSchema = z.object({ version: z.literal(FILE_VERSION), entries: z.array(EntrySchema) });

export class FileExactCacheStore implements ExactCacheStore {
  constructor(private readonly file: string) {}

  async load(): Promise<Awaited<ReturnType<ExactCacheStore['load']>>> {
    const read = await readJsonFile(this.file, (v) => FileSchema.parse(v));
    if (read.kind !== 'ok') return read;
    const entries: ExactEntry[] = read.value.entries.map((e) => ({
      key: e.key,
      expiresAt: e.expiresAt,
      paths: e.paths,
      response: e.response as LlmResponse,
    }));
    return { kind: 'ok', entries };
  }

  save(entries: readonly ExactEntry[]): Promise<void> {
    return writeFileAtomic(this.file, JSON.stringify({ version: FILE_VERSION, entries }));
  }
}
