import { createHash } from 'node:crypto';

/**
 * Where the Coder brain inserts into a file it was shown. Siblings of a plan see the same content
 * and must usually land at different points with an unchanged line between them, because diff3
 * reports two insertions at one point, or adjacent edits, as a conflict:
 *  - code: the top-level boundaries, i.e. blank lines between top-level blocks and the line
 *    after the last import;
 *  - markdown: before each heading after the first line (a new section goes there).
 * The task id picks one (its trailing number modulo the count, so that many consecutive ids land
 * apart; a hash for ids without a number), always over the content as shown, so a task re-run on
 * a merged tree still finds a unique search text. A seeded fifth of the ids (`wantsSameLines`)
 * append at the end of the file instead: the lines every other task of that share edits too.
 */

export type Hunk = { search: string; replace: string };

/** About one task id in five edits the same lines as its siblings of that share. */
export function wantsSameLines(taskId: string): boolean {
  return createHash('sha256').update(`same-lines/6:${taskId}`).digest()[0]! < 52;
}

/** Which of `count` points the task takes. */
export function pickPoint(taskId: string, count: number): number {
  const number = /(\d+)\D*$/.exec(taskId);
  const n = number ? Number(number[1]) : createHash('sha256').update(taskId).digest().readUInt32BE(0);
  return n % count;
}

const blank = (line: string | undefined): boolean => line === undefined || line.trim().length === 0;

type Mode = 'code' | 'block' | 'sq' | 'dq' | 'tpl';

/** For each line: does it start at the top level (no open bracket, string, template or comment)? */
function topLevelStarts(lines: readonly string[]): boolean[] {
  const starts: boolean[] = [];
  const stack: string[] = [];
  let mode: Mode = 'code';
  for (const line of lines) {
    starts.push(mode === 'code' && stack.length === 0);
    // An unterminated quote ends with its line (a line comment ends the scan of its line).
    if (mode === 'sq' || mode === 'dq') mode = 'code';
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      const next = line[i + 1];
      if (mode === 'block') {
        if (c === '*' && next === '/') {
          mode = 'code';
          i++;
        }
      } else if (mode === 'sq' || mode === 'dq') {
        if (c === '\\') i++;
        else if (c === (mode === 'sq' ? "'" : '"')) mode = 'code';
      } else if (mode === 'tpl') {
        if (c === '\\') i++;
        else if (c === '`') mode = 'code';
        else if (c === '$' && next === '{') {
          stack.push('${');
          mode = 'code';
          i++;
        }
      } else if (mode === 'code') {
        if (c === '/' && next === '/') break;
        if (c === '/' && next === '*') {
          mode = 'block';
          i++;
        } else if (c === "'") mode = 'sq';
        else if (c === '"') mode = 'dq';
        else if (c === '`') mode = 'tpl';
        else if (c === '{' || c === '(' || c === '[') stack.push(c);
        else if (c === '}' || c === ')' || c === ']') {
          if (stack.pop() === '${') mode = 'tpl';
        }
      }
    }
  }
  return starts;
}

const CONTINUES = /(?:[=+\-%&|^<>?:,([{.]|=>)\s*$/;
const CONTINUATION_START = /^[})\].,?:|&+\-*=<>]/;

/** Lines before which a new top-level block can go (ascending), for JavaScript/TypeScript. */
export function codeBoundaries(lines: readonly string[]): number[] {
  const top = topLevelStarts(lines);
  const points = new Set<number>();
  let previous = -1;
  for (let j = 0; j + 1 < lines.length; j++) {
    const next = lines[j + 1]!;
    if (blank(lines[j]) && top[j] && top[j + 1] && previous >= 0 && !blank(next) && /^\S/.test(next) && !CONTINUATION_START.test(next) && !CONTINUES.test(lines[previous]!)) {
      points.add(j + 1);
    }
    if (!blank(lines[j])) previous = j;
  }
  let lastImport = -1;
  lines.forEach((line, k) => {
    if (top[k] && /^import\b/.test(line)) lastImport = k;
  });
  if (lastImport >= 0) {
    let end = lastImport;
    while (end + 1 < lines.length && !top[end + 1]) end++;
    if (end + 1 < lines.length && !blank(lines[end + 1]) && !CONTINUATION_START.test(lines[end + 1]!)) points.add(end + 1);
  }
  return [...points].sort((a, b) => a - b);
}

/** Headings after the first line, outside fences, with a blank line above: a section goes before each. */
export function markdownBoundaries(lines: readonly string[]): number[] {
  const points: number[] = [];
  let fence = false;
  lines.forEach((line, j) => {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    else if (!fence && j > 0 && /^#{1,6}\s/.test(line) && blank(lines[j - 1]) && lines.slice(0, j).some((l) => !blank(l))) points.push(j);
  });
  return points;
}

function occurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at >= 0 && n < 2; at = haystack.indexOf(needle, at + 1)) n++;
  return n;
}

/**
 * The hunk that replaces `deleteCount` lines from `start` with `insert`: its search text is the
 * shortest run of whole lines around the change that occurs exactly once in the content (grown
 * downwards first, then upwards), so it is copied from the content as shown.
 */
export function spliceHunk(content: string, start: number, deleteCount: number, insert: readonly string[]): Hunk {
  const lines = content.split('\n');
  let s = Math.min(start, lines.length - 1);
  let e = Math.max(s, start + deleteCount - 1);
  const text = () => lines.slice(s, e + 1).join('\n');
  while ((text().trim().length === 0 || occurrences(content, text()) !== 1) && e + 1 < lines.length) e++;
  while ((text().trim().length === 0 || occurrences(content, text()) !== 1) && s > 0) s--;
  const replaced = [...lines.slice(s, start), ...insert, ...lines.slice(Math.max(s, start + deleteCount), e + 1)];
  return { search: text(), replace: replaced.join('\n') };
}

/** Inserts a block before line `at`, with a blank line on each side where there is none. */
export function insertBlock(content: string, at: number, block: readonly string[]): Hunk {
  const lines = content.split('\n');
  const cr = content.includes('\r\n') ? '\r' : '';
  const padded = [...(blank(lines[at - 1]) ? [] : ['']), ...block, ...(blank(lines[at]) ? [] : [''])];
  return spliceHunk(content, at, 0, padded.map((l) => `${l}${cr}`));
}

/** The shortest run of trailing lines that occurs exactly once in the content (non-blank). */
export function uniqueSuffix(content: string): string {
  const lines = content.split('\n');
  for (let k = 1; k <= lines.length; k++) {
    const candidate = lines.slice(-k).join('\n');
    if (candidate.trim().length > 0 && occurrences(content, candidate) === 1) return candidate;
  }
  return content;
}

/** Appends a block (that starts with its own separating blank line) at the end of the content. */
export function appendBlock(content: string, block: string): Hunk {
  const search = uniqueSuffix(content);
  const glue = search.endsWith('\n') ? '' : '\n';
  return { search, replace: `${search}${glue}${block}` };
}
