/**
 * Learning the real ceiling. Anthropic publishes no token numbers for Pro/Max windows, so when
 * the provider says a limit was reached, Helios records how much the window had used at that
 * moment. The observed ceiling is the 90th percentile (nearest rank) of those window totals; the
 * governor uses it when it is lower than the configured cap.
 */
export interface LimitObservation {
  /** Start of the window (ISO) in which the limit was hit. */
  readonly windowStart: string;
  /** Units the window had used when the provider refused. */
  readonly used: number;
  readonly at: string;
  /** When the provider said the limit resets, if it did. */
  readonly resetAt: string | null;
}

export interface ObservationStore {
  load(): Promise<LimitObservation[]>;
  save(observations: readonly LimitObservation[]): Promise<void>;
}

/** Keeps one observation per window (the lowest usage at which that window was refused). */
export function addObservation(list: readonly LimitObservation[], next: LimitObservation, keep = 50): LimitObservation[] {
  const existing = list.find((o) => o.windowStart === next.windowStart);
  if (existing && existing.used <= next.used) return [...list];
  return [...list.filter((o) => o.windowStart !== next.windowStart), next].slice(-keep);
}

export function observedCeiling(list: readonly LimitObservation[]): { value: number; windows: number } | null {
  const values = list.map((o) => o.used).filter((v) => Number.isFinite(v) && v > 0).sort((a, b) => a - b);
  if (values.length === 0) return null;
  const rank = Math.ceil(0.9 * values.length) - 1;
  return { value: values[rank]!, windows: values.length };
}
