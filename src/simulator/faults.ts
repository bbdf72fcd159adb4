import { isJsonObject } from './wire';

/**
 * Injected faults. Each applies to the next `count` (default 1) POST /v1/messages requests, in
 * the order they were injected; a request consumes at most one fault.
 */

export type SimulatorFault =
  | { readonly kind: 'status'; readonly status: 429 | 500 | 503 | 529; readonly retryAfterSeconds?: number; readonly count?: number }
  /** Pause between SSE events (for non-streaming requests: before the response). */
  | { readonly kind: 'slow_stream'; readonly delayMs: number; readonly count?: number }
  /** Destroy the socket after this many SSE events (non-streaming: before any response byte). */
  | { readonly kind: 'drop_stream'; readonly afterEvents: number; readonly count?: number }
  /** The structured-output reply is truncated JSON (tool input: an empty object). */
  | { readonly kind: 'malformed_output'; readonly count?: number }
  /** The Architect answers a schema-valid graph where T1 depends on the last task (a cycle). */
  | { readonly kind: 'invalid_plan'; readonly count?: number }
  /** The Coder answers schema-valid edits whose first hunk searches for text that is not in the file. */
  | { readonly kind: 'invalid_edit'; readonly count?: number }
  /** The Coder edits the lines its siblings edit: it appends at the end of every file it edits (JSON: after the last member). */
  | { readonly kind: 'same_lines'; readonly count?: number }
  /** The Reviewer answers schema-valid findings on lines past the end of a file and on a file not in the change. */
  | { readonly kind: 'invalid_findings'; readonly count?: number };

export type FaultKind = SimulatorFault['kind'];

const STATUSES = [429, 500, 503, 529];

function nonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Parses a fault from untrusted JSON (the admin endpoint); returns an error message when invalid. */
export function parseFault(value: unknown): SimulatorFault | string {
  if (!isJsonObject(value)) return 'fault must be a JSON object';
  const count = value['count'];
  if (count !== undefined && (!Number.isInteger(count) || (count as number) < 1)) return 'count must be a positive integer';
  const withCount = count === undefined ? {} : { count: count as number };
  switch (value['kind']) {
    case 'status': {
      const status = value['status'];
      if (typeof status !== 'number' || !STATUSES.includes(status)) return `status must be one of ${STATUSES.join(', ')}`;
      const retry = value['retryAfterSeconds'];
      if (retry !== undefined && !nonNegative(retry)) return 'retryAfterSeconds must be a non-negative number';
      return {
        kind: 'status',
        status: status as 429 | 500 | 503 | 529,
        ...(retry === undefined ? {} : { retryAfterSeconds: retry }),
        ...withCount,
      };
    }
    case 'slow_stream':
      if (!nonNegative(value['delayMs'])) return 'delayMs must be a non-negative number';
      return { kind: 'slow_stream', delayMs: value['delayMs'], ...withCount };
    case 'drop_stream':
      if (!nonNegative(value['afterEvents'])) return 'afterEvents must be a non-negative number';
      return { kind: 'drop_stream', afterEvents: Math.floor(value['afterEvents']), ...withCount };
    case 'malformed_output':
    case 'invalid_plan':
    case 'invalid_edit':
    case 'same_lines':
    case 'invalid_findings':
      return { kind: value['kind'], ...withCount };
    default:
      return 'kind must be one of status, slow_stream, drop_stream, malformed_output, invalid_plan, invalid_edit, same_lines, invalid_findings';
  }
}

export class FaultQueue {
  private readonly queue: { fault: SimulatorFault; remaining: number }[] = [];

  push(fault: SimulatorFault): void {
    this.queue.push({ fault, remaining: fault.count ?? 1 });
  }

  /** The fault for the request that just arrived, if any. */
  take(): SimulatorFault | undefined {
    const head = this.queue[0];
    if (!head) return undefined;
    head.remaining--;
    if (head.remaining <= 0) this.queue.shift();
    return head.fault;
  }

  clear(): void {
    this.queue.length = 0;
  }

  get pending(): readonly SimulatorFault[] {
    return this.queue.map((q) => q.fault);
  }
}
