import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as constants from '../../src/extension/constants';

/**
 * Every command a user can see is one the extension runs, and every menu shows it only when its
 * `when` can be true: each context key in a `when` clause is one Helios sets (or VS Code's own).
 * A contributed command nobody registers is a palette entry that fails with "command not found".
 */
interface Manifest {
  readonly contributes: Record<string, unknown> & {
    readonly commands: ReadonlyArray<{ command: string; icon?: string }>;
    readonly menus: Record<string, ReadonlyArray<{ command?: string; submenu?: string; alt?: string; when?: string; group?: string }>>;
  };
}

interface CodeFacts {
  /** Command ids the extension registers (`registerCommand`). */
  readonly registered: ReadonlySet<string>;
  /** Context keys the extension sets (`setContext`). */
  readonly contextKeys: ReadonlySet<string>;
}

/** VS Code's own context keys, and prefixes of families of them. */
const BUILT_IN_KEYS = new Set([
  'true', 'false', 'view', 'viewItem', 'webviewId', 'activeWebviewPanelId', 'resourceFilename', 'resourceLangId',
  'resourceScheme', 'resourceExtname', 'resourcePath', 'resource', 'editorLangId', 'editorTextFocus', 'editorFocus',
  'editorHasSelection', 'explorerResourceIsFolder', 'workspaceFolderCount', 'workbenchState', 'isWorkspaceTrusted',
  'commentController', 'commentThread', 'comment', 'isWeb', 'isMac', 'isLinux', 'isWindows', 'remoteName',
  'focusedView', 'activeViewlet', 'sideBarVisible', 'textInputFocus', 'inputFocus', 'gitOpenRepositoryCount',
]);
const BUILT_IN_PREFIXES = ['config.', 'view.'];

const SETTING_KEYS = new Set(Object.values(constants.SETTINGS).map((k) => `${constants.CONFIG_SECTION}.${k}`));

/** The context keys a `when` clause reads (the left side of each comparison; both sides of `in`). */
export function contextKeysOf(when: string): string[] {
  const keys: string[] = [];
  for (const part of when.split(/&&|\|\|/)) {
    const atom = part.trim().replace(/^[!(\s]+/, '').replace(/[)\s]+$/, '');
    const m = /^([\w.:-]+)\s*(?:(not in|in|==|!=|=~|<=|>=|<|>)\s*(.*))?$/.exec(atom);
    if (!m) {
      keys.push(`<unparsed: ${atom}>`);
      continue;
    }
    keys.push(m[1]!);
    if ((m[2] === 'in' || m[2] === 'not in') && m[3] && !/^['"]/.test(m[3])) keys.push(m[3].trim());
  }
  return keys;
}

function isBuiltIn(key: string): boolean {
  return BUILT_IN_KEYS.has(key) || BUILT_IN_PREFIXES.some((p) => key.startsWith(p));
}

/** Every `when` / `enablement` clause in `contributes`, with where it is; walkthroughs' `onContext:` events too. */
function whenClauses(value: unknown, where: string, out: Array<{ where: string; when: string }> = []): Array<{ where: string; when: string }> {
  if (Array.isArray(value)) value.forEach((v, i) => whenClauses(v, `${where}[${i}]`, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if ((k === 'when' || k === 'enablement') && typeof v === 'string') out.push({ where: `${where}.${k}`, when: v });
      else if (k === 'completionEvents' && Array.isArray(v)) {
        for (const e of v) if (typeof e === 'string' && e.startsWith('onContext:')) out.push({ where: `${where}.completionEvents`, when: e.slice('onContext:'.length) });
      } else whenClauses(v, `${where}.${k}`, out);
    }
  }
  return out;
}

/** What is wrong between the manifest and the code: an empty list when they agree. */
export function manifestProblems(manifest: Manifest, code: CodeFacts): string[] {
  const problems: string[] = [];
  const contributed = new Set(manifest.contributes.commands.map((c) => c.command));
  for (const id of contributed) if (!code.registered.has(id)) problems.push(`${id} is contributed but never registered`);
  for (const id of code.registered) if (!contributed.has(id)) problems.push(`${id} is registered but not contributed`);
  for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
    items.forEach((item, i) => {
      for (const id of [item.command, item.alt]) {
        if (id !== undefined && !contributed.has(id)) problems.push(`menus.${menu}[${i}] names ${id}, which is not a contributed command`);
      }
    });
  }
  for (const { where, when } of whenClauses(manifest.contributes, 'contributes')) {
    for (const key of contextKeysOf(when)) {
      if (!isBuiltIn(key) && !code.contextKeys.has(key)) problems.push(`${where} reads ${key}, which nothing sets`);
    }
  }
  return problems;
}

// ---- what the code does, read from its source ----------------------------------------------------

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const full = path.join(dir, n);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

const constantsSource = readFileSync('src/extension/constants.ts', 'utf8');
const groups = constants as unknown as Record<string, unknown>;

/** `'helios.x'`, `NAME` or `GROUP.member` (from constants.ts) as the string it stands for. */
function resolve(expr: string): string | undefined {
  const literal = /^'([^']+)'$/.exec(expr);
  if (literal) return literal[1];
  const [group, member] = expr.split('.');
  const value = groups[group!];
  if (member === undefined) return typeof value === 'string' ? value : undefined;
  const inner = value && typeof value === 'object' ? (value as Record<string, unknown>)[member] : undefined;
  return typeof inner === 'string' ? inner : undefined;
}

/** The values of the constants group a type alias of constants.ts stands for (`ContextKey` → CONTEXT_KEYS). */
function groupOfType(type: string): string[] | undefined {
  const m = new RegExp(`export type ${type} = \\(typeof (\\w+)\\)`).exec(constantsSource);
  const group = m ? groups[m[1]!] : undefined;
  return group && typeof group === 'object' ? Object.values(group as Record<string, string>) : undefined;
}

function readCode(): CodeFacts & { unresolved: string[] } {
  const registered = new Set<string>();
  const contextKeys = new Set<string>();
  const unresolved: string[] = [];
  for (const file of files('src/extension')) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/registerCommand\(\s*([^,)]+)/g)) {
      const expr = m[1]!.trim();
      const id = resolve(expr);
      if (id) {
        registered.add(id);
        continue;
      }
      // A loop over a handler table (`[COMMANDS.runPlan]: …`): the table's keys are what it registers.
      const table = [...text.matchAll(/^\s*\[(\w+\.\w+)\]:/gm)].map((k) => resolve(k[1]!));
      if (table.length === 0 || table.some((k) => k === undefined)) unresolved.push(`${file}: registerCommand(${expr}`);
      for (const k of table) if (k) registered.add(k);
    }
    for (const m of text.matchAll(/'setContext',\s*([^,)]+)/g)) {
      const expr = m[1]!.trim();
      const key = resolve(expr);
      if (key) {
        contextKeys.add(key);
        continue;
      }
      // A variable typed by a constants group (`set(key: ContextKey)`): every key of that group.
      const type = new RegExp(`\\b${expr}: (\\w+)`).exec(text)?.[1];
      const values = type ? groupOfType(type) : undefined;
      if (values) values.forEach((v) => contextKeys.add(v));
      else unresolved.push(`${file}: setContext ${expr}`);
    }
  }
  return { registered, contextKeys, unresolved };
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;
const code = readCode();

describe('contributed commands, menus and when clauses agree with the code', () => {
  it('can read every registration and every setContext of the extension', () => {
    assert.deepEqual(code.unresolved, []);
    assert.ok(code.registered.has(constants.COMMANDS.runPlan) && code.registered.has(constants.CHANGE_COMMANDS.acceptTask));
    assert.ok(code.contextKeys.has(constants.CONTEXT_KEYS.hasPlan));
  });

  it('registers every contributed command, contributes every registered one, and gates menus only on keys it sets', () => {
    assert.deepEqual(manifestProblems(pkg, code), []);
  });

  it('fails when a command is contributed but not registered, or a menu names an unknown command or key', () => {
    const broken: Manifest = {
      contributes: {
        ...pkg.contributes,
        commands: [...pkg.contributes.commands, { command: 'helios.ghost' }],
        menus: { ...pkg.contributes.menus, commandPalette: [{ command: 'helios.nowhere', when: 'helios.neverSet && view == helios.plans' }] },
      },
    };
    assert.deepEqual(manifestProblems(broken, code), [
      'helios.ghost is contributed but never registered',
      'menus.commandPalette[0] names helios.nowhere, which is not a contributed command',
      'contributes.menus.commandPalette[0].when reads helios.neverSet, which nothing sets',
    ]);
  });

  it('reads the keys of when clauses as VS Code does', () => {
    assert.deepEqual(contextKeysOf('view == helios.agentDiffs && viewItem =~ /^helios\\.task.*\\bpending\\b/'), ['view', 'viewItem']);
    assert.deepEqual(contextKeysOf("activeWebviewPanelId == 'helios.dagPanel' && helios.running || !helios.paused"), ['activeWebviewPanelId', 'helios.running', 'helios.paused']);
    assert.deepEqual(contextKeysOf('resourcePath in helios.openPaths'), ['resourcePath', 'helios.openPaths']);
  });

  it('hides what cannot run: Pause only while running and not paused, Resume only while paused, decisions only with proposals, Run Plan only with a plan', () => {
    const palette = new Map((pkg.contributes.menus.commandPalette ?? []).map((m) => [m.command, m.when]));
    const K = constants.CONTEXT_KEYS;
    assert.equal(palette.get(constants.COMMANDS.pause), `${K.running} && !${K.paused}`);
    assert.equal(palette.get(constants.COMMANDS.resume), K.paused);
    assert.equal(palette.get(constants.COMMANDS.runPlan), K.hasPlan);
    assert.equal(palette.get(constants.COMMANDS.pauseRun), K.running);
    assert.equal(palette.get(constants.COMMANDS.resumeRun), K.canResume);
    for (const id of [constants.CHANGE_COMMANDS.acceptTask, constants.CHANGE_COMMANDS.rejectTask, constants.CHANGE_COMMANDS.acceptFile, constants.CHANGE_COMMANDS.rejectFile, constants.CHANGE_COMMANDS.acceptPlan]) {
      assert.equal(palette.get(id), K.hasProposals, id);
    }
  });

  it('gives the DAG panel a Run / Pause / Resume / Cancel toolbar with icons, each shown only when it can run', () => {
    const dagPanel = readFileSync('src/extension/dagPanel/dagPanel.ts', 'utf8');
    const viewType = /DAG_PANEL_VIEW_TYPE = '([^']+)'/.exec(dagPanel)?.[1];
    assert.ok(viewType);
    // A webview panel's toolbar is its editor title; VS Code has no `webview/title` menu.
    const toolbar = (pkg.contributes.menus['editor/title'] ?? []).filter((m) => m.when?.includes(`activeWebviewPanelId == '${viewType}'`));
    const K = constants.CONTEXT_KEYS;
    const gate = new Map(toolbar.map((m) => [m.command, m.when!]));
    assert.deepEqual([...gate.keys()].sort(), [constants.COMMANDS.cancelRun, constants.COMMANDS.pauseRun, constants.COMMANDS.resumeRun, constants.COMMANDS.runPlan].sort());
    assert.match(gate.get(constants.COMMANDS.runPlan)!, new RegExp(`${K.hasPlan} && !${K.running} && !${K.canResume}`));
    assert.match(gate.get(constants.COMMANDS.pauseRun)!, new RegExp(`&& ${K.running}$`));
    assert.match(gate.get(constants.COMMANDS.resumeRun)!, new RegExp(`&& ${K.canResume}$`));
    for (const m of toolbar) assert.match(m.group ?? '', /^navigation/, `${m.command} shows as a button`);
    const icons = new Map(pkg.contributes.commands.map((c) => [c.command, c.icon]));
    assert.equal(icons.get(constants.COMMANDS.runPlan), '$(play)');
    assert.equal(icons.get(constants.COMMANDS.pauseRun), '$(debug-pause)');
    assert.equal(icons.get(constants.COMMANDS.cancelRun), '$(stop)');
    assert.ok(icons.get(constants.COMMANDS.resumeRun));
  });

  it('links only to registered commands and existing settings from manifest strings', () => {
    const problems: string[] = [];
    // VS Code adds a `<view id>.focus` command for every contributed view.
    const views = Object.values((pkg.contributes.views ?? {}) as Record<string, Array<{ id: string }>>).flat().map((v) => `${v.id}.focus`);
    const runnable = new Set([...code.registered, ...views]);
    for (const file of ['package.nls.json', 'package.nls.ko.json']) {
      const strings = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      for (const [key, text] of Object.entries(strings)) {
        for (const m of text.matchAll(/command:(helios\.[\w.]+)/g)) if (!runnable.has(m[1]!)) problems.push(`${file} ${key}: command:${m[1]}`);
        for (const m of text.matchAll(/#(helios\.[\w.]+)#/g)) if (!SETTING_KEYS.has(m[1]!)) problems.push(`${file} ${key}: #${m[1]}#`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
