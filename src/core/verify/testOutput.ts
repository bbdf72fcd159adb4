/**
 * Reading a verify command's output: how many tests failed (per the common runners' summaries)
 * and trimming it to what a reviewer or a model can use — the head says what ran, the tail says
 * what failed.
 */

interface FailureSummary {
  readonly runner: string;
  readonly pattern: RegExp;
}

/** Summary lines that carry a failure count in group 1; summed when a runner prints several. */
const SUMMARIES: readonly FailureSummary[] = [
  // node:test TAP and spec reporters: `# fail 2`, `ℹ fail 2`.
  { runner: 'node', pattern: /^\s*(?:#|ℹ)\s*fail\s+(\d+)\s*$/gm },
  // jest: `Tests:       2 failed, 5 passed, 7 total`.
  { runner: 'jest', pattern: /^\s*Tests:\s+(\d+) failed/gm },
  // vitest: ` Tests  2 failed | 5 passed (7)`.
  { runner: 'vitest', pattern: /^\s*Tests\s+(\d+) failed\s*\|/gm },
  // mocha: `  2 failing`.
  { runner: 'mocha', pattern: /^\s*(\d+) failing\s*$/gm },
  // pytest: `==== 2 failed, 3 passed in 0.12s ====` or `1 failed in 0.1s`.
  { runner: 'pytest', pattern: /^=+ (?:.*?, )?(\d+) failed\b.*=+\s*$/gm },
  // cargo: `test result: FAILED. 3 passed; 2 failed; 0 ignored` once per test binary.
  { runner: 'cargo', pattern: /^test result: \w+\. \d+ passed; (\d+) failed;/gm },
];

/** Failed tests the output reports, or undefined when no known runner summary is in it. */
export function countFailedTests(output: string): number | undefined {
  const text = stripAnsi(output);
  for (const { pattern } of SUMMARIES) {
    let total: number | undefined;
    for (const m of text.matchAll(pattern)) total = (total ?? 0) + Number(m[1]);
    if (total !== undefined) return total;
  }
  // go test has no count line: one `--- FAIL: TestName` per failing test (subtests indented).
  const goFails = text.match(/^--- FAIL: /gm);
  if (goFails) return goFails.length;
  if (/^(?:FAIL|ok)\s+\S+\s/m.test(text) && /^ok\s+\S+\s/m.test(text)) return 0;
  return undefined;
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}

export const TRIM_MARKER = '[… %d bytes trimmed …]';

/** Keeps the first and last `maxBytes / 2` bytes with a marker between them. */
export function trimOutput(text: string, maxBytes: number): string {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return text;
  const buf = Buffer.from(text, 'utf8');
  const half = Math.floor(maxBytes / 2);
  const head = buf.subarray(0, half).toString('utf8');
  const tail = buf.subarray(buf.length - half).toString('utf8');
  return `${head}\n${TRIM_MARKER.replace('%d', String(bytes - 2 * half))}\n${tail}`;
}

/**
 * Collects streamed output within a byte limit: the head is kept as it arrives, the tail is a
 * rolling window, the middle is counted and dropped — a command that prints gigabytes costs
 * `maxBytes` of memory.
 */
export class HeadTailBuffer {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private dropped = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    const headRoom = Math.floor(this.maxBytes / 2) - this.headBytes;
    if (headRoom > 0) {
      const part = chunk.subarray(0, headRoom);
      this.head.push(part);
      this.headBytes += part.length;
      chunk = chunk.subarray(part.length);
      if (chunk.length === 0) return;
    }
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    const tailMax = this.maxBytes - Math.floor(this.maxBytes / 2);
    while (this.tailBytes > tailMax && this.tail.length > 0) {
      const first = this.tail[0]!;
      const over = this.tailBytes - tailMax;
      if (first.length <= over) {
        this.tail.shift();
        this.tailBytes -= first.length;
        this.dropped += first.length;
      } else {
        this.tail[0] = first.subarray(over);
        this.tailBytes -= over;
        this.dropped += over;
      }
    }
  }

  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    if (this.dropped === 0) return head + tail;
    return `${head}\n${TRIM_MARKER.replace('%d', String(this.dropped))}\n${tail}`;
  }
}
