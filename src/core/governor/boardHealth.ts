/**
 * Whether the account board answered the last time it was asked. While it does not, the governor
 * admits nothing (fail closed) and says why: the error's message, and the board's own code for it
 * (a `reason` on the error, e.g. the team Redis's `auth`) so the adapter can pick what to show.
 */
export class BoardHealth {
  private message: string | undefined;
  private reason: string | undefined;

  /** Why the board could not be reached; undefined while it answers. */
  get error(): string | undefined {
    return this.message;
  }

  /** The failure's code (`unreachable`, `auth`, …) when it gave one, while the board still fails. */
  get code(): string | undefined {
    return this.message === undefined ? undefined : this.reason;
  }

  /** Notes why the board failed (a `reason` on the error is kept as its code). */
  failed(error: unknown): void {
    this.message = error instanceof Error ? error.message : String(error);
    const code = error instanceof Error ? (error as Error & { reason?: unknown }).reason : undefined;
    this.reason = typeof code === 'string' ? code : undefined;
  }

  /** The board answered again. */
  answered(): void {
    this.message = undefined;
    this.reason = undefined;
  }
}
