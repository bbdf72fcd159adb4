import { acquirePlanRunLock, releaseRunLocksOnSignals } from '../../src/infra/storage/planRunLock';

/**
 * A second process for the plan-lock tests: takes `<runsDir>/<planId>.lock`, says "locked", then
 * `exit` leaves through process.exit without releasing, `signal` waits for SIGTERM / SIGINT with the
 * CLI's signal hook, `hold` waits until killed.
 */
const [runsDir, planId, mode] = process.argv.slice(2);
void (async () => {
  if (mode === 'signal') releaseRunLocksOnSignals();
  await acquirePlanRunLock(runsDir!, planId!);
  process.stdout.write('locked\n');
  if (mode === 'exit') process.exit(0);
  setInterval(() => {}, 60_000);
})();
