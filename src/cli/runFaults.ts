import path from 'node:path';
import { HeliosError } from '../core/errors/heliosError';
import type { PipelineEvent } from '../core/pipeline/runPipeline';

/**
 * `helios run`'s English for what goes wrong around a run — a second runner, a changed PRD, a full
 * disk, a state folder it cannot write, a state file it could not read — one sentence each, saying
 * what happened and what to do. (cli.ts explains the rest; this covers the reasons the run adds.)
 */

/** One sentence for a fault of the run, or undefined when it is not one of ours. */
export function explainRunFault(error: unknown): string | undefined {
  if (!(error instanceof HeliosError)) return undefined;
  const d = error.details;
  const at = String(d.path ?? '');
  switch (error.reason) {
    case 'plan_running':
      return typeof d.prd === 'string'
        ? `${d.prd} is already being planned or run by another helios (pid ${String(d.pid ?? '?')}) — wait for it or stop it.`
        : `plan ${String(d.planId)} is already running (pid ${String(d.pid ?? '?')}${typeof d.host === 'string' ? ` on ${d.host}` : ''}) — wait for it or stop it.`;
    case 'prd_changed':
      return `${String(d.prd)} changed since plan ${String(d.planId)} was made from it, so that plan cannot be resumed: run again with --replan to plan the new version (the Architect is called again), or restore the PRD to resume the plan.`;
    case 'disk_full':
      return `the disk is full: Helios could not write ${at} — free some space or point --state at another disk, then run again (finished tasks are kept).`;
    case 'state_unwritable':
      return unwritable(at, String(d.code ?? ''));
    default:
      return undefined;
  }
}

function unwritable(at: string, code: string): string {
  switch (code) {
    case 'ENOTDIR':
    case 'EEXIST':
      return `cannot keep Helios's state at ${at}: part of that path is a file, not a folder (${code}) — point --state at a folder.`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied writing ${at} (${code}) — make the --state folder writable for you, or point --state at another folder.`;
    case 'EROFS':
      return `${at} is on a read-only disk (EROFS) — point --state at a writable folder.`;
    default:
      return `cannot write ${at} (${code}) — check the --state folder and its permissions, then run again.`;
  }
}

/** Runs the command; a fault of ours becomes one line on stderr and exit code 1, never a stack trace. */
export async function withRunFaults(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    const sentence = explainRunFault(error);
    if (sentence === undefined) throw error;
    process.stderr.write(`helios: ${sentence}\n`);
    return 1;
  }
}

export type StateFileKind = 'run' | 'change' | 'plan';

/**
 * A store's report of an unreadable state file it moved aside: which file, where it is now, and
 * what it means for the run.
 */
export function reportCorruptState(log: (line: string) => void, kind: StateFileKind) {
  return (file: string, error: string, aside: string | undefined): void => {
    const kept = aside ? `it was kept as ${path.basename(aside)}` : 'another process moved it aside first';
    const meaning = kind === 'run'
      ? 'finished tasks are restored from the plan\'s integrated tree, so none of them runs again'
      : kind === 'change'
        ? 'a task whose change the plan\'s tree already holds stays done; any other task runs again'
        : 'that plan can no longer be resumed (its finished work stays in integration/); a PRD of it is planned afresh';
    log(`warning: ${file} was unreadable (${oneLine(error)}); ${kept} — ${meaning}.`);
  };
}

/** Lines for the restore events of the pipeline; true when the event was one of them. */
export function logRestoreEvent(log: (line: string) => void, event: PipelineEvent): boolean {
  if (event.kind === 'run_restored') {
    log(`Run state of ${event.planId} missing: ${event.taskIds.length} finished task(s) restored from its integrated tree, not run again (${event.taskIds.join(', ')}).`);
    return true;
  }
  if (event.kind === 'restore_failed') {
    log(`warning: the run state of ${event.planId} is missing and its integrated tree could not be read (${oneLine(event.error)}); its tasks run again.`);
    return true;
  }
  return false;
}

/** A parser's message on one short line (it may quote the file's bytes, newlines included). */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 159)}…` : flat;
}
