import { readFile, stat } from 'node:fs/promises';
import { findModel } from '../shared/models';
import { HeliosError } from '../core/errors/heliosError';
import { CliUsageError } from './cliArgs';

/**
 * What the CLI says about bad input it was given — files, plans, a PRD the Architect could not
 * plan in one answer — and which exit code that is: 2 for what the user can fix in the command
 * line or the file, 1 for a failure at run time.
 */

/** The bytes of a plan or PRD the user named; a missing path or a folder is a usage error naming it. */
export async function readInputFile(file: string, what: 'plan' | 'PRD' | 'plan or PRD'): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliUsageError(`${file} does not exist.`);
    if (code === 'EISDIR') throw new CliUsageError(`${file} is a folder; give a ${what} file.`);
    if (code === 'EACCES' || code === 'EPERM') throw new Error(`${file} cannot be read (permission denied): check its permissions.`, { cause: error });
    throw error;
  }
}

/** Why `dir` cannot be analysed as a folder, or undefined when it can. */
export async function directoryProblem(dir: string): Promise<string | undefined> {
  try {
    if (!(await stat(dir)).isDirectory()) return `${dir} is a file; give a folder.`;
    return undefined;
  } catch {
    return `${dir} does not exist.`;
  }
}

const PLAN_EXAMPLE = '{"tasks": [{"id": "T1", "title": "…", "description": "…", "taskType": "code_generation", "dependsOn": [], "files": ["src/a.ts"], "priority": 1, "estimatedTokens": 2000}]}';

/** `plan_invalid` for a plan file (details `{ path, problem, problems }`), else undefined. */
export function explainPlanFile(error: HeliosError): string | undefined {
  const d = error.details;
  if (typeof d.path !== 'string' || typeof d.problem !== 'string') return undefined;
  const problems = Array.isArray(d.problems) ? d.problems.join('; ') : '';
  switch (d.problem) {
    case 'not_json':
      return `${d.path} is not valid JSON (${problems}): fix it, or write it again with "helios decompose <prd.md> --json > ${d.path}".`;
    case 'not_a_plan':
      return `${d.path} is neither a Helios plan nor a task graph (${problems}); give the output of "helios decompose --json" or a task graph like ${PLAN_EXAMPLE}.`;
    default:
      return `${d.path} cannot run: ${problems}; fix the tasks' ids and dependsOn, then run it again.`;
  }
}

/** `model_output_truncated` from the Architect: the plan did not fit in one answer. */
export function explainArchitectTruncated(error: HeliosError): string | undefined {
  const d = error.details;
  if (d.agent !== 'architect') return undefined;
  const maxTokens = Number(d.maxTokens);
  const modelMax = findModel(String(d.model))?.maxOutputTokens;
  const prd = typeof d.prdPath === 'string' && d.prdPath ? d.prdPath : 'the PRD';
  const raise = modelMax !== undefined && modelMax > maxTokens
    ? `, or raise --max-output-tokens (${String(d.model)} allows up to ${modelMax.toLocaleString('en-US')})`
    : '';
  return `The plan for ${prd} did not fit in ${maxTokens.toLocaleString('en-US')} output tokens: the Architect's answer was cut off twice and nothing was saved. Split the PRD into smaller PRDs${raise}.`;
}

/** Usage errors and invalid plan files are the user's to fix (2); everything else failed at run time (1). */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CliUsageError) return 2;
  if (error instanceof HeliosError && error.reason === 'plan_invalid' && typeof error.details.path === 'string' && typeof error.details.problem === 'string') return 2;
  return 1;
}
