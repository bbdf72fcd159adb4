import { HeliosError } from '../errors/heliosError';
import type { Admission, AdmissionRequest } from './governorTypes';

/** A call waiting for room; `cleanup` detaches its abort listener once it leaves the queue. */
export interface Waiter {
  readonly request: AdmissionRequest;
  readonly resolve: (a: Admission) => void;
  readonly reject: (e: unknown) => void;
  readonly cleanup: () => void;
}

/**
 * The calls waiting for room, first come first served: nobody overtakes the head. No call is ever
 * dropped: it leaves when the governor grants it (and takes it off), when its caller aborts, or when
 * the governor is disposed — the last two rejected with `cancelled`.
 */
export class WaitQueue {
  private readonly waiters: Waiter[] = [];

  /** `onAbort`: a caller gave up and its call left the queue, so the head may have changed. */
  constructor(private readonly onAbort: () => void) {}

  get length(): number {
    return this.waiters.length;
  }

  get head(): Waiter | undefined {
    return this.waiters[0];
  }

  /** Queues the call; the promise settles when the governor grants it, or it is cancelled. */
  wait(request: AdmissionRequest): Promise<Admission> {
    return new Promise<Admission>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(cancelled());
        this.onAbort();
      };
      const waiter: Waiter = { request, resolve, reject, cleanup: () => request.signal?.removeEventListener('abort', onAbort) };
      request.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Takes the head off, to grant it. */
  shift(): Waiter | undefined {
    return this.waiters.shift();
  }

  /** Puts a waiter back in front: its grant never reached the board. */
  unshift(waiter: Waiter): void {
    this.waiters.unshift(waiter);
  }

  /** Rejects every waiting call (the governor is disposed). */
  cancelAll(): void {
    for (const w of this.waiters.splice(0)) {
      w.cleanup();
      w.reject(cancelled());
    }
  }
}

export function cancelled(): HeliosError {
  return new HeliosError('cancelled', 'Cancelled while waiting for budget');
}
