import { TASK_TYPES } from '../../shared/taskGraph';
import type { LlmMessage, TextPart } from '../llm/llmClient';

/**
 * The Architect's instructions. Kept byte-stable across calls (no dates, no ids) so the provider's
 * prompt cache can serve it: it is the cached prefix of every decomposition.
 */
export const ARCHITECT_SYSTEM = [
  'You are the Helios Architect, a senior software architect.',
  'You turn a product requirements document (PRD) into an implementation plan: a directed acyclic graph of tasks that coding agents will implement one at a time with minimal context.',
  '',
  'Rules for the plan:',
  '- One task per coherent unit of work; a requirement section usually becomes one task. Do not merge unrelated requirements, and do not split a small requirement into many tasks.',
  '- Ids are short and unique ("T1", "T2", …). `dependsOn` lists only ids of tasks in this plan that must be finished first. The graph must have no cycles.',
  `- \`taskType\` is one of: ${TASK_TYPES.join(', ')}. Pick the type that best describes the work, because it decides which model implements it.`,
  '- `files` are workspace-relative paths (never absolute, never containing "..") that the task will create or change.',
  '- `priority` is 1 (most important, on the critical path) to 5 (nice to have).',
  '- `estimatedTokens` is your estimate of the output tokens needed to implement the task.',
  '- Write titles and descriptions in the language of the PRD.',
  '- Answer only with the plan in the required JSON format.',
].join('\n');

export function architectSystem(): TextPart[] {
  return [{ text: ARCHITECT_SYSTEM, cacheControl: { ttl: '5m' } }];
}

/**
 * The PRD, preceded by a ranked map of the code that already exists (when the workspace is not
 * empty), so the plan extends the codebase instead of re-creating it.
 */
export function prdMessage(path: string, text: string, repoMap?: string): LlmMessage {
  const existing = repoMap && repoMap.trim().length > 0
    ? `The workspace already contains this code (a ranked map of its files and exported signatures); plan changes to it rather than re-creating it.\n<repo-map>\n${repoMap}\n</repo-map>\n\n`
    : '';
  return {
    role: 'user',
    content: [{ text: `${existing}Decompose this PRD into a task graph.\n\n<prd path="${escapeAttr(path)}">\n${text}\n</prd>` }],
  };
}

/** The repair round trip: the model sees its own answer and exactly what was wrong with it. */
export function repairMessages(previous: string, problems: readonly string[]): LlmMessage[] {
  return [
    { role: 'assistant', content: [{ text: previous }] },
    {
      role: 'user',
      content: [
        {
          text:
            'Your plan breaks these rules:\n<validation-errors>\n' +
            problems.map((p) => `- ${p}`).join('\n') +
            '\n</validation-errors>\nReturn the complete corrected plan.',
        },
      ],
    },
  ];
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
