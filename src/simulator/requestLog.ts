import type { WireUsage } from './wire';

/** What the simulator remembers about each request it served (newest MAX_RECORDS kept). */
export interface RecordedRequest {
  readonly requestId: string;
  /** Clock time (ms) the request arrived. */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly model?: string;
  readonly stream?: boolean;
  readonly bodyBytes: number;
  /** A one-line summary of the body: message, tool and breakpoint counts; never the prompt text. */
  readonly summary: string;
  readonly fault?: string;
  readonly errorType?: string;
  readonly usage?: WireUsage;
  /** For streams: whether all events were written, the socket was dropped, or the client left. */
  readonly outcome?: 'completed' | 'dropped' | 'aborted';
}

const MAX_RECORDS = 1_000;

export class RequestLog {
  private readonly records: RecordedRequest[] = [];

  add(record: RecordedRequest): void {
    this.records.push(record);
    if (this.records.length > MAX_RECORDS) this.records.splice(0, this.records.length - MAX_RECORDS);
  }

  get all(): readonly RecordedRequest[] {
    return this.records.slice();
  }

  clear(): void {
    this.records.length = 0;
  }
}
