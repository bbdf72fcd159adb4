import type { GovernorClock } from '../../src/core/governor/governor';

/** A clock tests move by hand; timers fire in order as time passes. */
export class FakeClock implements GovernorClock {
  private timers: Array<{ at: number; fn: () => void; live: boolean }> = [];

  constructor(private t: number) {}

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): { cancel(): void } {
    const timer = { at: this.t + ms, fn, live: true };
    this.timers.push(timer);
    return { cancel: () => (timer.live = false) };
  }

  advance(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.live && x.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.t = due.at;
      due.live = false;
      due.fn();
    }
    this.t = target;
    this.timers = this.timers.filter((x) => x.live);
  }
}
