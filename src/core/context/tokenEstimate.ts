/**
 * Token estimate for budgeting context, by the same stated rule as the embedded simulator's
 * tokenizer (core cannot import infra): ASCII costs a quarter token per character, CJK, Hangul and
 * kana a token per character, other non-ASCII half a token per UTF-16 unit; each run of one class
 * rounds up. It is an estimate for cutting to a budget; billing always uses the provider's `usage`.
 */
const WIDE = '\\u1100-\\u11ff\\u3040-\\u30ff\\u3130-\\u318f\\u3400-\\u4dbf\\u4e00-\\u9fff\\uac00-\\ud7af\\uf900-\\ufaff\\uff00-\\uffef';
const ASCII = '\\u0000-\\u007f';
const RUNS = new RegExp(`[${ASCII}]+|[${WIDE}]+|[^${ASCII}${WIDE}]+`, 'g');
const IS_WIDE = new RegExp(`^[${WIDE}]`);

export function estimateTokens(text: string): number {
  let total = 0;
  for (const m of text.matchAll(RUNS)) {
    const run = m[0];
    const code = run.charCodeAt(0);
    if (code < 0x80) total += Math.ceil(run.length / 4);
    else if (IS_WIDE.test(run)) total += run.length;
    else total += Math.ceil(run.length / 2);
  }
  return total;
}

export type TokenEstimator = (text: string) => number;
