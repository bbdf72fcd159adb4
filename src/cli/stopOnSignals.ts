const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof SIGNALS)[number];

/** The exit code of a process that stopped on the signal (128 + its number), as shells expect. */
export const SIGNAL_EXIT: Readonly<Record<StopSignal, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * While a run goes on, the first SIGINT, SIGTERM or SIGHUP stops it cleanly through `stop` (abort,
 * wait, save); a second one exits at once. `signal` says which one stopped the run; `settled`
 * waits for `stop` to finish; the handlers are removed once it has (or when nothing came).
 */
export function stopOnSignals(stop: (signal: StopSignal) => Promise<void>): { readonly signal: StopSignal | undefined; settled(): Promise<void> } {
  let received: StopSignal | undefined;
  let stopping: Promise<void> = Promise.resolve();
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      if (received) {
        process.stderr.write(`${signal} again: exiting now.\n`);
        process.exit(SIGNAL_EXIT[signal]);
      }
      received = signal;
      stopping = stop(signal).catch((error: unknown) => {
        process.stderr.write(`could not stop cleanly: ${error instanceof Error ? error.message : String(error)}\n`);
      });
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  const unhook = () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
  return {
    get signal() {
      return received;
    },
    async settled() {
      await stopping;
      unhook();
    },
  };
}
