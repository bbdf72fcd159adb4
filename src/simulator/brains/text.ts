import type { ModelInfo } from '../../shared/models';

/**
 * The plain-text brain: a short reply derived only from the last user message, so the same
 * request always gets the same words (no randomness, no clock).
 */

function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= 120 ? flat : `${flat.slice(0, 119).trimEnd()}…`;
}

export function textReply(model: ModelInfo, userText: string, toolResults: number): string {
  const name = model.displayName;
  if (userText.trim().length === 0) {
    return toolResults > 0
      ? `${name} (simulated) received ${toolResults} tool result${toolResults === 1 ? '' : 's'}. The task is complete; no further tool calls are needed.`
      : `${name} (simulated) received an empty message. Please send the text you want answered.`;
  }
  const words = userText.trim().split(/\s+/).length;
  const lines = userText.split(/\r?\n/).length;
  return [
    `This is a simulated reply from ${name}, generated offline by the Helios Claude simulator.`,
    `You wrote ${words} word${words === 1 ? '' : 's'} on ${lines} line${lines === 1 ? '' : 's'}, starting with: "${quote(userText)}".`,
    'The simulator answers deterministically, so the same request always gets this same reply.',
  ].join(' ');
}
