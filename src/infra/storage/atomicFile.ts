import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Writes a file so that readers see the old content or the new, never a mix: write a temp file
 * beside the target, fsync it, rename over the target. A crash leaves at worst a stray temp file.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
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
