import { countTextTokens } from '../tokenizer';
import { linkCreators, MAX_FILES, rootFiles, sharedFiles, sharedFilesFor, withFiles, type FileRole } from './architectFiles';
import { splitSections } from './prd';
import type { PrdSection } from './prd';

/**
 * The Architect brain: turns a PRD into a TaskGraph, one task per requirement section.
 * Deterministic and acyclic by construction: every dependency points to an earlier task.
 *  - taskType: keywords (English and Korean) in the title win; else the kind with the most
 *    (at least two) keyword hits in the body; else `code_generation`.
 *  - dependsOn: T1 is the root; test/review/docs tasks depend on the nearest earlier task that is
 *    not one of those; other tasks depend on T1; plus any earlier section whose title the
 *    section mentions; plus the creator of every file the task edits (`architectFiles.ts`).
 *  - files: backticked paths first, then the shared files real plans share: T1 creates the entry
 *    module, package.json, the shared types and the README; features, tests and docs edit them.
 */

export type ArchitectTaskType =
  | 'architectural_reasoning'
  | 'high_level_planning'
  | 'code_generation'
  | 'boilerplate_generation'
  | 'refactoring'
  | 'unit_test'
  | 'integration_test'
  | 'code_review'
  | 'documentation'
  | 'bug_fix';

export interface ArchitectTask {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly taskType: ArchitectTaskType;
  readonly dependsOn: string[];
  readonly files: string[];
  readonly priority: number;
  readonly estimatedTokens: number;
}

export interface ArchitectGraph {
  readonly tasks: ArchitectTask[];
}

const TYPE_RULES: readonly (readonly [ArchitectTaskType, RegExp])[] = [
  ['integration_test', /\bintegration\b|\be2e\b|\bend-to-end\b|통합/i],
  ['unit_test', /\btest|테스트/i],
  ['refactoring', /\brefactor|리팩터|리팩토링/i],
  ['code_review', /\breview|검토|리뷰/i],
  ['architectural_reasoning', /\barchitect|\bdesign|설계|아키텍처/i],
  ['high_level_planning', /\bplan|\broadmap|계획|로드맵/i],
  ['documentation', /\bdoc(s|ument|umentation)?\b|\breadme\b|문서/i],
  ['boilerplate_generation', /\bscaffold|\bset ?up\b|\bboilerplate|\bconfig|설정|초기/i],
  ['bug_fix', /\bbugs?\b|\bfix|버그|수정/i],
];

const FOLLOWER_TYPES: ReadonlySet<ArchitectTaskType> = new Set(['unit_test', 'integration_test', 'code_review', 'documentation']);
const FEATURE_TYPES: ReadonlySet<ArchitectTaskType> = new Set(['code_generation', 'refactoring', 'bug_fix', 'boilerplate_generation']);
const TEST_TYPES: ReadonlySet<ArchitectTaskType> = new Set(['unit_test', 'integration_test']);
const FILE_PATTERN = /`([A-Za-z0-9_@./-]*[A-Za-z0-9_-]\.[A-Za-z][A-Za-z0-9]{0,7})`/g;
const MAX_TITLE = 200;
const MAX_DESCRIPTION = 300;

/** The title decides when it names a kind of work; the body only with two or more hits of one kind. */
export function classify(title: string, body: string): ArchitectTaskType {
  const byTitle = TYPE_RULES.find(([, pattern]) => pattern.test(title));
  if (byTitle) return byTitle[0];
  let best: ArchitectTaskType = 'code_generation';
  let bestHits = 1;
  for (const [type, pattern] of TYPE_RULES) {
    const hits = body.match(new RegExp(pattern.source, 'gi'))?.length ?? 0;
    if (hits > bestHits) {
      best = type;
      bestHits = hits;
    }
  }
  return best;
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max);
  // Never leave half a surrogate pair at the end.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut;
}

function describe(section: PrdSection): string {
  const flat = section.body
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/^\s*(?:[-*+]|\d+[.)]|#+)\s+/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (flat.length === 0) return section.title;
  if (flat.length <= MAX_DESCRIPTION) return flat;
  return `${truncate(flat, MAX_DESCRIPTION - 1).trimEnd()}…`;
}

function slug(title: string): string | undefined {
  if ([...title].some((c) => c.charCodeAt(0) > 0x7f)) return undefined;
  const s = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return s.length > 0 ? s : undefined;
}

/** The paths the section names in backticks (safe, relative, at most MAX_FILES). */
function namedFiles(section: PrdSection): string[] {
  const found = new Set<string>();
  for (const match of `${section.title}\n${section.body}`.matchAll(FILE_PATTERN)) {
    const path = match[1]!;
    const safe = !path.includes('://') && !path.startsWith('.') && !path.startsWith('/') && !path.split('/').includes('..');
    if (safe && found.size < MAX_FILES) found.add(path);
  }
  return [...found];
}

function ownFiles(named: readonly string[], section: PrdSection, n: number, type: ArchitectTaskType): string[] {
  if (named.length > 0) return [...named];
  const name = slug(section.title) ?? `task-${n}`;
  if (TEST_TYPES.has(type)) return [`test/${name}.test.ts`];
  return [type === 'documentation' ? `docs/${name}.md` : `src/${name}.ts`];
}

function roleOf(type: ArchitectTaskType): FileRole {
  if (FEATURE_TYPES.has(type)) return 'feature';
  if (TEST_TYPES.has(type)) return 'test';
  return type === 'documentation' ? 'documentation' : 'other';
}

function priorityOf(index: number, type: ArchitectTaskType): number {
  if (index === 0) return 1;
  if (TEST_TYPES.has(type)) return 3;
  if (type === 'documentation') return 4;
  return 2;
}

export function buildTaskGraph(prd: string, options: { readonly invalidPlan?: boolean } = {}): ArchitectGraph {
  let sections = splitSections(prd);
  if (sections.length === 0) sections = [{ title: 'Implement the requirements', body: prd.trim() }];
  const types = sections.map((s) => classify(s.title, s.body));
  const lowerTitles = sections.map((s) => s.title.toLowerCase());
  const named = sections.map(namedFiles);
  const shared = sharedFiles(named[0]!);
  let features = 0;

  const tasks = sections.map((section, i): ArchitectTask => {
    const type = types[i]!;
    const deps = new Set<string>();
    if (i > 0) {
      let anchor = 0;
      if (FOLLOWER_TYPES.has(type)) {
        for (let j = i - 1; j >= 0; j--) {
          if (!FOLLOWER_TYPES.has(types[j]!)) {
            anchor = j;
            break;
          }
        }
      }
      deps.add(`T${anchor + 1}`);
      const text = section.body.toLowerCase();
      for (let j = 1; j < i; j++) {
        const other = lowerTitles[j]!;
        if (other.length >= 4 && text.includes(other)) deps.add(`T${j + 1}`);
      }
    }
    const own = ownFiles(named[i]!, section, i + 1, type);
    const role = roleOf(type);
    const files = i === 0
      ? rootFiles(own, shared)
      : withFiles(own, sharedFilesFor(role, `${section.title}\n${section.body}`, section.title, role === 'feature' ? features++ : -1, shared));
    return {
      id: `T${i + 1}`,
      title: truncate(section.title, MAX_TITLE),
      description: describe(section),
      taskType: type,
      dependsOn: [...deps].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))),
      files,
      priority: priorityOf(i, type),
      estimatedTokens: Math.min(20_000, 800 + 4 * countTextTokens(`${section.title}\n${section.body}`)),
    };
  });

  linkCreators(tasks);

  if (options.invalidPlan) {
    // A schema-valid graph with a cycle: T1 waits for the last task, which (transitively) waits for T1.
    tasks[0]!.dependsOn.push(`T${tasks.length}`);
  }
  return { tasks };
}
