/**
 * When to remind the user to rotate their API key. Helios records only the date the key was set
 * (never the key); a key from the environment has no date and gets no reminder.
 */
export interface RotationCheck {
  readonly due: boolean;
  readonly ageDays: number;
}

const DAY_MS = 86_400_000;

/**
 * `setOn` is a `YYYY-MM-DD` date; `remindedFor` the `setOn` a reminder was already shown for, so the
 * reminder shows once per key. `maxAgeDays` 0 turns reminders off.
 */
export function checkKeyRotation(args: {
  readonly setOn: string | undefined;
  readonly remindedFor: string | undefined;
  readonly now: Date;
  readonly maxAgeDays: number;
}): RotationCheck {
  const { setOn, remindedFor, now, maxAgeDays } = args;
  if (!setOn || !/^\d{4}-\d{2}-\d{2}$/.test(setOn)) return { due: false, ageDays: 0 };
  const set = Date.parse(`${setOn}T00:00:00Z`);
  if (Number.isNaN(set)) return { due: false, ageDays: 0 };
  const ageDays = Math.max(0, Math.floor((now.getTime() - set) / DAY_MS));
  return { due: maxAgeDays > 0 && ageDays >= maxAgeDays && remindedFor !== setOn, ageDays };
}
