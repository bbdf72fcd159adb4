/**
 * Finds the Helios settings a repository's own files set: `.vscode/settings.json` (JSON with
 * comments) and a `.code-workspace` file's `settings`. VS Code drops user-only (`application` /
 * `machine`) settings from workspace files before an extension sees them, so reading the files is
 * the only way to tell the user that a value was there and ignored. Pure: the adapter reads files.
 */

export interface RepositorySetting {
  /** The file as the user knows it: `.vscode/settings.json`, `team.code-workspace`. */
  readonly file: string;
  /** The full key, `helios.anthropic.baseUrl`. */
  readonly key: string;
  readonly value: unknown;
}

/**
 * JSON with comments and trailing commas (VS Code's settings format) to a value; undefined when
 * it does not parse. Strings are copied verbatim, so `//` inside a URL stays.
 */
export function parseJsonc(source: string): unknown {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const out: string[] = [];
  /** Where in `out` the last comma outside a string is, while only whitespace followed it. */
  let comma = -1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out.push(text.slice(i, j + 1));
      comma = -1;
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else {
      // A trailing comma: drop it when the next thing after whitespace and comments closes.
      if ((c === '}' || c === ']') && comma >= 0) out[comma] = '';
      if (c === ',') comma = out.length;
      else if (!/\s/.test(c)) comma = -1;
      out.push(c);
      i++;
    }
  }
  try {
    return JSON.parse(out.join('')) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The value at a dotted key, whether written flat (`"helios.anthropic.baseUrl"`) or nested
 * (`"helios": { "anthropic": { "baseUrl": … } }`) — VS Code reads both.
 */
export function valueAt(tree: unknown, key: string): unknown {
  const lookup = (node: unknown, segments: readonly string[]): unknown => {
    if (!isObject(node)) return undefined;
    for (let take = segments.length; take >= 1; take--) {
      const head = segments.slice(0, take).join('.');
      if (!Object.hasOwn(node, head)) continue;
      const rest = segments.slice(take);
      const found = rest.length === 0 ? node[head] : lookup(node[head], rest);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return lookup(tree, key.split('.'));
}

/**
 * Which of `keys` a settings file sets. `kind` says where the settings are: the whole file
 * (`.vscode/settings.json`) or its `settings` property (a `.code-workspace` file). Language
 * overrides (`"[markdown]": {…}`) count too.
 */
export function settingsInFile(file: string, text: string, kind: 'settings' | 'workspaceFile', keys: readonly string[]): RepositorySetting[] {
  const parsed = parseJsonc(text);
  const root = kind === 'workspaceFile' ? (isObject(parsed) ? parsed.settings : undefined) : parsed;
  if (!isObject(root)) return [];
  const scopes = [root, ...Object.entries(root).filter(([k, v]) => /^\[.+\]$/.test(k) && isObject(v)).map(([, v]) => v)];
  const found: RepositorySetting[] = [];
  for (const key of keys) {
    for (const scope of scopes) {
      const value = valueAt(scope, key);
      if (value === undefined) continue;
      found.push({ file, key, value });
      break;
    }
  }
  return found;
}

/** How a warning is remembered: per file, key and value, so a changed value is told again. */
export function warningKey(s: RepositorySetting): string {
  return `${s.file}#${s.key}=${JSON.stringify(s.value)?.slice(0, 200) ?? ''}`;
}

/**
 * The settings not warned about yet, and the updated list of warned keys. Warning once means once
 * per workspace: the list lives in workspace state, so a reload does not repeat it.
 */
export function newWarnings(found: readonly RepositorySetting[], warned: readonly string[]): { fresh: RepositorySetting[]; warned: string[] } {
  const seen = new Set(warned);
  const fresh: RepositorySetting[] = [];
  for (const s of found) {
    const key = warningKey(s);
    if (seen.has(key)) continue;
    seen.add(key);
    fresh.push(s);
  }
  return { fresh, warned: [...seen] };
}
