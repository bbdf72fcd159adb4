import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseSettings } from '../../src/core/config/settings';
import { ANALYSIS_COMMANDS, CHANGE_COMMANDS, COMMANDS, CONFIG_SECTION, SETTINGS, TEAM_COMMANDS, VIEW_COMMANDS } from '../../src/extension/constants';
import { MODELS } from '../../src/shared/models';

interface Manifest {
  activationEvents: string[];
  engines: { vscode: string };
  devDependencies: Record<string, string>;
  contributes: { commands: Array<{ command: string }>; configuration: Category[] };
}
interface Setting {
  readonly default?: unknown;
  readonly order?: number;
  readonly enum?: unknown[];
  readonly enumDescriptions?: string[];
  readonly markdownEnumDescriptions?: string[];
  readonly enumItemLabels?: string[];
  readonly markdownDescription?: string;
  readonly additionalProperties?: Setting;
}
interface Category {
  readonly title: string;
  readonly order: number;
  readonly properties: Record<string, Setting>;
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;
/** Every setting of every category. */
const settings: Record<string, Setting> = Object.fromEntries(pkg.contributes.configuration.flatMap((c) => Object.entries(c.properties)));
const nls = JSON.parse(readFileSync('package.nls.json', 'utf8')) as Record<string, string>;
const nlsKo = JSON.parse(readFileSync('package.nls.ko.json', 'utf8')) as Record<string, string>;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const full = path.join(dir, n);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

describe('package.json agrees with the code', () => {
  it('declares exactly the commands the extension registers', () => {
    const declared = pkg.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(declared, [...Object.values(COMMANDS), ...Object.values(ANALYSIS_COMMANDS), ...Object.values(CHANGE_COMMANDS), ...Object.values(TEAM_COMMANDS), ...Object.values(VIEW_COMMANDS)].sort());
  });

  it('declares exactly the settings the extension reads', () => {
    const declared = Object.keys(settings).sort();
    assert.deepEqual(declared, Object.values(SETTINGS).map((k) => `${CONFIG_SECTION}.${k}`).sort());
  });

  it('keeps every default the code falls back to', () => {
    // A setting the user never touched means the same in the Settings editor and in the code.
    const parsed = parseSettings({}) as unknown as Record<string, unknown>;
    for (const [field, key] of Object.entries(SETTINGS)) assert.deepEqual(settings[`${CONFIG_SECTION}.${key}`]?.default, parsed[field], key);
  });

  it('groups the settings by what the user decides, how they pay first, each with an order', () => {
    const t = (s: string) => nls[s.replace(/^%|%$/g, '')] ?? s;
    assert.deepEqual(pkg.contributes.configuration.map((c) => t(c.title)), ['How You Pay', 'Budget', 'Running Plans', 'Review and Verification', 'Cache', 'Advanced']);
    assert.deepEqual(pkg.contributes.configuration.map((c) => c.order), [1, 2, 3, 4, 5, 6]);
    assert.equal(Object.keys(pkg.contributes.configuration[0]!.properties)[0], 'helios.provider');
    assert.equal(pkg.contributes.configuration[0]!.properties['helios.provider']!.order, 1);
    for (const c of pkg.contributes.configuration) {
      const orders = Object.values(c.properties).map((s) => s.order);
      assert.deepEqual(orders, orders.map((_, i) => i + 1), `${t(c.title)}: every setting has its place`);
    }
  });

  it('offers the current models and the plans as choices, each explained', () => {
    const model = settings['helios.architect.model']!;
    assert.deepEqual([...model.enum!].sort(), MODELS.filter((m) => !m.legacy).map((m) => m.id).sort());
    assert.ok(model.enum!.includes(model.default));
    assert.deepEqual(model.enumItemLabels, model.enum!.map((id) => MODELS.find((m) => m.id === id)!.displayName));
    for (const [key, s] of Object.entries(settings)) {
      const choices = s.enum ?? s.additionalProperties?.enum;
      if (!choices) continue;
      const described = s.markdownEnumDescriptions ?? s.enumDescriptions ?? s.additionalProperties?.enumDescriptions;
      assert.equal(described?.length, choices.length, `${key}: one description per choice`);
    }
    assert.deepEqual(settings['helios.budget.plan']!.enum, ['auto', 'pro', 'max5x', 'max20x', 'api', 'custom']);
  });

  it('links related settings to each other', () => {
    const linked = (key: string) => [...(nls[settings[key]!.markdownDescription!.replace(/%/g, '')] ?? '').matchAll(/#(helios\.[\w.]+)#/g)].map((m) => m[1]);
    assert.ok(linked('helios.claudeCode.path').includes('helios.provider'));
    assert.ok(linked('helios.budget.dailyUsd').includes('helios.budget.plan'));
    assert.ok(linked('helios.review.maxRounds').includes('helios.review.enabled'));
    assert.ok(linked('helios.cache.semantic.enabled').includes('helios.cache.enabled'));
  });

  it('activates lazily, never on *', () => {
    assert.ok(!pkg.activationEvents.includes('*'));
    assert.equal(pkg.engines.vscode, '^1.96.0');
    assert.match(pkg.devDependencies['@types/vscode'] ?? '', /^~1\.96\./);
  });

  it('has every manifest string in English and Korean', () => {
    const used = [...JSON.stringify(pkg.contributes).matchAll(/%([\w.]+)%/g)].map((m) => m[1]!);
    used.push('displayName', 'description');
    for (const key of used) {
      assert.ok(nls[key], `package.nls.json lacks ${key}`);
      assert.ok(nlsKo[key], `package.nls.ko.json lacks ${key}`);
    }
  });

  it('translates every l10n.t string of the host into Korean', () => {
    const bundle = JSON.parse(readFileSync('l10n/bundle.l10n.ko.json', 'utf8')) as Record<string, string>;
    const missing: string[] = [];
    for (const file of files('src/extension')) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:l10n\.t|\bt)\(\s*'((?:[^'\\]|\\.)*)'/g)) {
        const key = m[1]!.replace(/\\'/g, "'");
        if (!bundle[key]) missing.push(`${file}: ${key}`);
      }
    }
    assert.deepEqual(missing, []);
  });
});
