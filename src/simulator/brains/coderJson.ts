import { pickPoint, spliceHunk, type Hunk } from './coderPlacement';

/**
 * JSON edits that keep the file valid JSON. A member keyed by the task id goes on a line of its
 * own before an existing member line, so it carries its own comma and touches no other line: in
 * `package.json` before a `scripts`, `dependencies` or `devDependencies` entry (a script or a
 * dependency), elsewhere before a top-level member; the task id picks which, so siblings land
 * apart. The same-lines share appends after the last member instead, editing that line for its
 * comma (what every task of that share edits). Anything else (one-line JSON, empty objects) is
 * rewritten whole. Every result is checked with `JSON.parse`; JSON that does not parse (JSONC) is
 * left alone.
 */

export type JsonEdit =
  | { readonly action: 'edit'; readonly hunks: Hunk[] }
  | { readonly action: 'replace'; readonly content: string };

interface Member {
  readonly line: number;
  /** Keys of the containers from the root, e.g. `['scripts']`. */
  readonly path: string;
  readonly indent: string;
}

interface Container {
  readonly kind: '{' | '[';
  readonly path: string;
  /** Line of the first member, of the line that closes the container. */
  firstMemberLine?: number;
  closeLine?: number;
}

/** Member lines (a line that starts a member of an object) and the closing line of each object. */
function scan(lines: readonly string[]): { members: Member[]; closed: Container[] } {
  const members: Member[] = [];
  const closed: Container[] = [];
  const stack: Container[] = [];
  let inString = false;
  let current = '';
  let lastString = '';
  let key = '';
  let lastSignificant = '';
  lines.forEach((line, n) => {
    const first = /^\s*/.exec(line)![0].length;
    const top = stack[stack.length - 1];
    if (!inString && top?.kind === '{' && line[first] === '"' && (lastSignificant === '{' || lastSignificant === ',')) {
      members.push({ line: n, path: top.path, indent: line.slice(0, first) });
      top.firstMemberLine ??= n;
    }
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (inString) {
        if (c === '\\') current += line[++i] ?? '';
        else if (c === '"') {
          inString = false;
          lastString = current;
        } else current += c;
        continue;
      }
      if (/\s/.test(c)) continue;
      if (c === '"') {
        inString = true;
        current = '';
      } else if (c === ':') key = lastString;
      else if (c === '{' || c === '[') {
        const parent = stack[stack.length - 1];
        stack.push({ kind: c, path: parent === undefined ? '' : parent.kind === '{' ? `${parent.path}/${key}` : `${parent.path}/[]` });
      } else if (c === '}' || c === ']') {
        const done = stack.pop();
        if (done && i === first) closed.push({ ...done, closeLine: n });
      }
      lastSignificant = c;
    }
  });
  return { members, closed };
}

const PACKAGE_OBJECTS = ['/scripts', '/dependencies', '/devDependencies'];

function freshKey(content: string, wanted: string): string {
  let key = wanted;
  for (let k = 2; content.includes(JSON.stringify(key)); k++) key = `${wanted}-${k}`;
  return key;
}

function memberText(path: string, taskId: string, title: string, content: string): string {
  const id = taskId.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'task';
  if (path === '/scripts') return `${JSON.stringify(freshKey(content, `check:${id}`))}: ${JSON.stringify(`node --test test/${id}.test.js`)}`;
  if (path === '/dependencies' || path === '/devDependencies') return `${JSON.stringify(freshKey(content, `@helios-sim/${id}`))}: "^1.0.0"`;
  return `${JSON.stringify(freshKey(content, `helios-${id}`))}: ${JSON.stringify(title)}`;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function applied(content: string, hunk: Hunk): string {
  const at = content.indexOf(hunk.search);
  return content.slice(0, at) + hunk.replace + content.slice(at + hunk.search.length);
}

/** The edit of a JSON file the task was shown in full; undefined when it is not plain JSON. */
export function jsonEdit(path: string, content: string, task: { readonly id: string; readonly title: string }, sameLines: boolean): JsonEdit | undefined {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch {
    return undefined;
  }
  const lines = content.split('\n');
  const cr = content.includes('\r\n') ? '\r' : '';
  const { members, closed } = scan(lines);
  const isPackage = /(^|\/)package\.json$/.test(path);
  const targets = isPackage && members.some((m) => PACKAGE_OBJECTS.includes(m.path)) ? PACKAGE_OBJECTS : [''];
  const candidates = members.filter((m) => targets.includes(m.path));
  let hunk: Hunk | undefined;
  if (sameLines) {
    const object = closed.find((c) => c.kind === '{' && targets.includes(c.path) && c.firstMemberLine !== undefined && c.closeLine! > c.firstMemberLine);
    if (object) {
      const last = object.closeLine! - 1;
      const indent = members.find((m) => m.path === object.path)!.indent;
      const line = lines[last]!.replace(/\r$/, '');
      hunk = spliceHunk(content, last, 1, [`${line},${cr}`, `${indent}${memberText(object.path, task.id, task.title, content)}${cr}`]);
    }
  } else if (candidates.length > 0) {
    const before = candidates[pickPoint(task.id, candidates.length)]!;
    hunk = spliceHunk(content, before.line, 0, [`${before.indent}${memberText(before.path, task.id, task.title, content)},${cr}`]);
  }
  if (hunk && parses(applied(content, hunk))) return { action: 'edit', hunks: [hunk] };
  return { action: 'replace', content: rewritten(value, isPackage, task, content) };
}

/** The whole file again with the task's member added (formatting normalized to two spaces). */
function rewritten(value: unknown, isPackage: boolean, task: { readonly id: string; readonly title: string }, content: string): string {
  const object: Record<string, unknown> = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : { value };
  const entry = Object.entries(JSON.parse(`{${memberText(isPackage ? '/scripts' : '', task.id, task.title, content)}}`) as Record<string, unknown>)[0]!;
  if (isPackage) {
    const scripts = object['scripts'];
    object['scripts'] = { ...(typeof scripts === 'object' && scripts !== null && !Array.isArray(scripts) ? scripts : {}), [entry[0]]: entry[1] };
  } else object[entry[0]] = entry[1];
  return `${JSON.stringify(object, null, 2)}\n`;
}
