import { CODER_LIMITS } from '../agents/coder';

/**
 * A small Coder prompt: the system prompt, the plan summary and one task with no files shown. Real
 * prompts are larger; this is a floor, not an estimate.
 */
const MIN_CODER_PROMPT_TOKENS = 2_048;

/**
 * The smallest window cap (Sonnet-weighted tokens) a run is started with. The governor admits a
 * call only when its counted input plus an output budget fits what is left of the window; a cap
 * below one call's input is never reached, so the first call waits forever (the run hangs at
 * `▶ T1`). The Coder asks for at least `CODER_LIMITS.minOutputTokens` (4,096) of output, so the
 * floor is that plus a small prompt: 4,096 + 2,048 = 6,144. Conservative on purpose — an Opus call
 * weighs twice that and real prompts are larger — so a cap above the floor can still pause between
 * windows, but one below it could never run a task.
 */
export function minimumWindowTokens(): number {
  return CODER_LIMITS.minOutputTokens + MIN_CODER_PROMPT_TOKENS;
}
