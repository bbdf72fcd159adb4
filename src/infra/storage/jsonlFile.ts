import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writingState } from './storageErrors';

/**
 * An append-only JSON-lines file that several processes (VS Code windows) may append to at once.
 * Each record is written as one whole line in a single O_APPEND write, so lines never interleave.
 * A torn or corrupt line (a crash mid-write, a hand edit) is skipped and counted, never fatal.
 */
export class JsonlFile<T> {
  constructor(
    readonly file: string,
    private readonly parse: (value: unknown) => T,
  ) {}

  /** `disk_full` / `state_unwritable` when the line cannot be written. */
  append(record: T): Promise<void> {
    return writingState(this.file, async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      const line = JSON.stringify(record);
      // A previous writer may have died mid-line; start on a fresh line so our record stays whole.
      const prefix = (await this.endsWithPartialLine()) ? '\n' : '';
      await fs.appendFile(this.file, `${prefix}${line}\n`, { encoding: 'utf8', flag: 'a' });
    });
  }

  async readAll(): Promise<{ records: T[]; skipped: number }> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], skipped: 0 };
      throw error;
    }
    const records: T[] = [];
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        records.push(this.parse(JSON.parse(line)));
      } catch {
        skipped++;
      }
    }
    return { records, skipped };
  }

  private async endsWithPartialLine(): Promise<boolean> {
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(this.file, 'r');
      const { size } = await handle.stat();
      if (size === 0) return false;
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      return last[0] !== 0x0a;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    } finally {
      await handle?.close();
    }
  }
}
