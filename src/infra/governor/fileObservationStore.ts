import { z } from 'zod';
import type { LimitObservation, ObservationStore } from '../../core/governor/limitLearning';
import { readJsonFile, writeFileAtomic } from '../storage/atomicFile';

const ObservationsSchema = z.array(z.object({
  windowStart: z.string(),
  used: z.number(),
  at: z.string(),
  resetAt: z.string().nullable(),
}));

/** Limit observations in global storage (they describe the account, shared by all windows). */
export class FileObservationStore implements ObservationStore {
  constructor(
    private readonly file: string,
    private readonly onCorrupt?: (file: string, error: string) => void,
  ) {}

  async load(): Promise<LimitObservation[]> {
    const read = await readJsonFile(this.file, (v) => ObservationsSchema.parse(v));
    if (read.kind === 'corrupt') this.onCorrupt?.(this.file, read.error);
    return read.kind === 'ok' ? read.value : [];
  }

  save(observations: readonly LimitObservation[]): Promise<void> {
    return writeFileAtomic(this.file, JSON.stringify(observations, null, 1));
  }
}
