import { estimateTokens, type TokenEstimator } from './tokenEstimate';

/**
 * Prompt compression beyond structural selection. The built-in compressor is structural and
 * lossless for meaning: comment and whitespace stripping for code that is not the task's own,
 * de-duplication of repeated blocks, and a budgeted cut of long prose that keeps headings and
 * requirement lines. A learned compressor (LLMLingua-style) can implement the same interface later.
 */
export interface CompressInput {
  readonly text: string;
  readonly kind: 'code' | 'prose';
  /** Protected text (the task's own files) is returned unchanged. */
  readonly protected?: boolean;
}

export interface CompressResult {
  readonly text: string;
  readonly originalTokens: number;
  readonly compressedTokens: number;
}

export interface Compressor {
  readonly name: string;
  compress(input: CompressInput, budgetTokens?: number): CompressResult;
}

/** Trailing spaces, blank lines and runs of indentation collapsed (two spaces per level kept). */
export function collapseWhitespace(code: string): string {
  return code
    .split('\n')
    .map((line) => line.replace(/\s+$/, '').replace(/^(\s+)/, (indent) => ' '.repeat(Math.min(indent.replace(/\t/g, '  ').length, 8))))
    .filter((line) => line.length > 0)
    .join('\n');
}

/** Drops a blank-line-separated block that repeats an earlier one exactly (after trimming). */
export function dedupeBlocks(text: string): string {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const key = block.trim();
    if (key.length > 40 && seen.has(key)) continue;
    seen.add(key);
    kept.push(block);
  }
  return kept.join('\n\n');
}

const REQUIREMENT = /^\s*(?:[-*+]\s|\d+[.)]\s|\|)|\b(?:MUST|SHALL|SHOULD|REQUIRED|REQ-\d+|must|shall|should)\b|필수|해야/;

/**
 * Cuts prose to `budgetTokens`, keeping in priority order: headings, requirement lines (list
 * items, table rows, MUST/SHALL/SHOULD), then other lines in document order. Output keeps the
 * original order of the kept lines.
 */
export function cutProse(text: string, budgetTokens: number, estimate: TokenEstimator = estimateTokens): string {
  const lines = text.split('\n');
  if (estimate(text) <= budgetTokens) return text;
  const keep = new Array<boolean>(lines.length).fill(false);
  let used = 0;
  const tiers: Array<(line: string) => boolean> = [(l) => /^\s*#{1,6}\s/.test(l), (l) => REQUIREMENT.test(l), (l) => l.trim().length > 0];
  for (const tier of tiers) {
    for (const [i, line] of lines.entries()) {
      if (keep[i] || !tier(line)) continue;
      const cost = estimate(line) + 1;
      if (used + cost > budgetTokens) continue;
      keep[i] = true;
      used += cost;
    }
  }
  return lines.filter((_l, i) => keep[i]).join('\n');
}

/** Code without its comments, or unchanged when that cannot be done safely (see commentStripper.ts). */
export type CommentStripper = (code: string) => string;

export class StructuralCompressor implements Compressor {
  readonly name = 'structural';

  /**
   * Core has no parser of its own, so code keeps its comments unless `stripComments` is given (in
   * the context builder the scanner has already stripped the signatures it compresses).
   */
  constructor(
    private readonly estimate: TokenEstimator = estimateTokens,
    private readonly stripComments: CommentStripper = (code) => code,
  ) {}

  compress(input: CompressInput, budgetTokens?: number): CompressResult {
    const originalTokens = this.estimate(input.text);
    let text = input.text;
    if (!input.protected) {
      text = input.kind === 'code' ? dedupeBlocks(collapseWhitespace(this.stripComments(text))) : dedupeBlocks(text);
      if (input.kind === 'prose' && budgetTokens !== undefined) text = cutProse(text, budgetTokens, this.estimate);
    }
    return { text, originalTokens, compressedTokens: text === input.text ? originalTokens : this.estimate(text) };
  }
}
