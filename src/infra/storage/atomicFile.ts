import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { storageError } from './storageErrors';

/** The file operations an atomic write uses: a seam, so tests can make one fail (a full disk). */
export interface AtomicWriteIo {
  mkdir(dir: string, options: { recursive: true }): Promise<unknown>;
  open(file: string, flags: 'w'): Promise<Pick<fs.FileHandle, 'writeFile' | 'sync' | 'close'>>;
  rename(from: string, to: string): Promise<void>;
  rm(file: string, options: { force: true }): Promise<void>;
}

const nodeIo: AtomicWriteIo = { mkdir: fs.mkdir, open: fs.open, rename: fs.rename, rm: fs.rm };

/** Temp files of `writeFileAtomic`: `<target>.<pid>.<8 hex>.tmp`. */
export const ATOMIC_TEMP = /\.\d+\.[0-9a-f]{8}\.tmp$/;

/**
 * Writes a file so that readers see the old content or the new, never a mix: write a temp file
 * beside the target, fsync it, rename over the target. Any failure removes the temp file (a full
 * disk must not fill up further with our leftovers) and is `disk_full` / `state_unwritable` when
 * the disk said so; a crash leaves at worst a stray temp file, swept at the next start.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, io: AtomicWriteIo = nodeIo): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await io.mkdir(path.dirname(file), { recursive: true });
    const handle = await io.open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await io.rename(tmp, file);
  } catch (error) {
    await io.rm(tmp, { force: true }).catch(() => undefined);
    throw storageError(error, file);
  }
}

export type JsonRead<T> =
  | { readonly kind: 'missing' }
  | { readonly kind: 'corrupt'; readonly error: string }
  | { readonly kind: 'ok'; readonly value: T };

/** Reads and parses a JSON file; a missing or corrupt file is a result, not an exception. */
export async function readJsonFile<T>(file: string, parse: (value: unknown) => T): Promise<JsonRead<T>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  try {
    return { kind: 'ok', value: parse(JSON.parse(text)) };
  } catch (error) {
    return { kind: 'corrupt', error: error instanceof Error ? error.message : String(error) };
  }
}
