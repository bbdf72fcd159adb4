import type { Governor } from '../core/governor/governor';

/** How often the CLI looks for calls that wait on the budget with nothing else running. */
const CHECK_MS = 1_000;

/**
 * Budget states as the CLI says them (issue 18, scope 4: never a silent wait): a call that waits
 * for room while nothing else runs (the run is paused) is one line on stderr with the numbers and
 * when the window resets, and so are room coming back and the first throttling.
 */
export function watchBudget(governor: Governor, log: (line: string) => void, now: () => number = Date.now): () => void {
  let announced = false;
  let throttled = false;
  const resets = () => {
    const v = governor.view();
    const minutes = Math.max(0, Math.round((v.period.end - now()) / 60_000));
    return `${new Date(v.period.end).toISOString().slice(11, 16)} UTC (in ${minutes} min)`;
  };
  const usage = () => {
    const v = governor.view();
    const n = (x: number) => Math.round(x).toLocaleString('en-US');
    return `${n(v.used)} of ${n(v.cap.units)} tokens used${v.reserved > 0 ? `, ${n(v.reserved)} reserved` : ''}`;
  };
  // Reservations make the state flicker while calls run; what the user must hear about is a call
  // that waits with nothing running — the run is paused until the window resets.
  const check = () => {
    const v = governor.view();
    // A call waiting its turn on the account board is not held back (the state says whether it is).
    const stuck = v.waiting > 0 && v.inFlight === 0 && v.state === 'paused';
    if (stuck && !announced && v.unavailable !== undefined) {
      announced = true;
      log(`⏸ budget: paused — the account board cannot be used (${v.unavailable}); nothing is admitted until it can. Ctrl-C to stop (finished tasks are kept).`);
    } else if (stuck && !announced) {
      announced = true;
      log(`⏸ budget: paused — the next call does not fit in what is left of the window (${usage()}); it waits until the window resets at ${resets()}. Raise --window-tokens, or Ctrl-C to stop (finished tasks are kept).`);
    } else if (!stuck && announced && v.inFlight > 0) {
      announced = false;
      log(`▶ budget: room again (${usage()}); calls go on.`);
    }
    if (v.state === 'throttled' && !throttled) {
      throttled = true;
      log(`budget: throttled (${usage()}); Opus work goes to Sonnet until the window resets at ${resets()}.`);
    }
  };
  const unsubscribe = governor.onDidChange(check);
  const timer = setInterval(check, CHECK_MS);
  timer.unref();
  return () => {
    unsubscribe();
    clearInterval(timer);
  };
}
