import type { WorkspaceGraph } from './workspaceGraph';

const STOP = new Set(['the', 'and', 'for', 'with', 'that', 'this', 'from', 'into', 'when', 'then', 'add', 'use', 'make', 'new', 'file', 'files', 'code', 'should', 'must', 'all', 'each', 'are', 'not', 'can', 'its', 'src', 'test', 'index', 'export', 'import', 'function', 'class', 'type']);

/** Words of a task text: identifiers split at camelCase, `_`, `-`, `.` and `/`, lower-cased, stop words dropped. */
export function taskTerms(text: string): string[] {
  const words = new Set<string>();
  for (const raw of text.match(/[A-Za-z_$][\w$-]*/g) ?? []) {
    for (const part of raw.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[\s_$-]+/)) {
      const w = part.toLowerCase();
      if (w.length >= 3 && !STOP.has(w)) words.add(w);
    }
  }
  return [...words];
}

/** Whole identifiers mentioned in the text (`computeTotal`, `UserStore`), for exact symbol matches. */
export function taskIdentifiers(text: string): Set<string> {
  return new Set((text.match(/[A-Za-z_$][\w$]{2,}/g) ?? []).filter((w) => /[A-Z_]/.test(w.slice(1)) || /^[A-Z]/.test(w)));
}

function wordsOf(s: string): string[] {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length >= 3);
}

export interface FileCandidate {
  readonly file: string;
  readonly score: number;
  readonly reasons: readonly string[];
}

/**
 * The files a task most likely touches: its declared files first, then files whose path or
 * exported names match the task's identifiers and words. Exports are parsed on demand (cached).
 */
export async function likelyFiles(workspace: WorkspaceGraph, task: { text: string; files?: readonly string[] }, limit = 10): Promise<FileCandidate[]> {
  const terms = new Set(taskTerms(task.text));
  const identifiers = taskIdentifiers(task.text);
  const declared = new Set(task.files ?? []);
  const candidates: FileCandidate[] = [];
  for (const file of workspace.graph.files()) {
    const reasons: string[] = [];
    let score = 0;
    if (declared.has(file)) {
      score += 100;
      reasons.push('declared');
    }
    if (task.text.includes(file) || (file.includes('/') && task.text.includes(file.slice(file.lastIndexOf('/') + 1)))) {
      score += 50;
      reasons.push('named in text');
    }
    const pathHits = wordsOf(file.replace(/\.[^.]+$/, '')).filter((w) => terms.has(w));
    if (pathHits.length > 0) {
      score += 3 * new Set(pathHits).size;
      reasons.push(`path: ${[...new Set(pathHits)].join(', ')}`);
    }
    for (const sym of await workspace.exportsOf(file)) {
      if (sym.kind === 'reexport') continue;
      if (identifiers.has(sym.name)) {
        score += 10;
        reasons.push(`exports ${sym.name}`);
      } else {
        const hits = wordsOf(sym.name).filter((w) => terms.has(w)).length;
        score += hits * 0.5;
      }
    }
    if (score > 0) candidates.push({ file, score, reasons });
  }
  return candidates.sort((a, b) => b.score - a.score || a.file.localeCompare(b.file)).slice(0, limit);
}
