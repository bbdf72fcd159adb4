import { addObservation, observedCeiling, type LimitObservation, type ObservationStore } from './limitLearning';

/**
 * The provider's refusals for the account's usage limit: each one pauses admission until the reset
 * it named, and is kept (one per window, in the store) as an observation of where the real ceiling
 * lies — the cap in force is lowered to it.
 */
export class LimitHits {
  /** No call starts before this (ms since the epoch): the reset the last refusal named. */
  private until = 0;
  private list: LimitObservation[] = [];

  constructor(private readonly store: ObservationStore | undefined) {}

  async load(): Promise<void> {
    this.list = (await this.store?.load()) ?? [];
  }

  get observations(): readonly LimitObservation[] {
    return this.list;
  }

  /** The ceiling learned from the refusals, when there are any. */
  ceiling(): number | undefined {
    return observedCeiling(this.list)?.value;
  }

  /** Until when nothing may start after a refusal (0: its reset has passed, or there was none). */
  heldUntil(now: number): number {
    return this.until > now ? this.until : 0;
  }

  /** A refusal at `now`, in the period that began at `windowStart` and had used `used` units. */
  async record(now: number, resetAt: Date | undefined, windowStart: number, used: number): Promise<void> {
    if (resetAt && resetAt.getTime() > now) this.until = resetAt.getTime();
    this.list = addObservation(this.list, {
      windowStart: new Date(windowStart).toISOString(),
      used,
      at: new Date(now).toISOString(),
      resetAt: resetAt ? resetAt.toISOString() : null,
    });
    await this.store?.save(this.list);
  }
}
