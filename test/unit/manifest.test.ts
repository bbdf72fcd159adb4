import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ANALYSIS_COMMANDS, CHANGE_COMMANDS, COMMANDS, CONFIG_SECTION, SETTINGS, TEAM_COMMANDS } from '../../src/extension/constants';

interface Manifest {
  activationEvents: string[];
  engines: { vscode: string };
  devDependencies: Record<string, string>;
  contributes: { commands: Array<{ command: string }>; configuration: { properties: Record<string, unknown> } };
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;
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
    assert.deepEqual(declared, [...Object.values(COMMANDS), ...Object.values(ANALYSIS_COMMANDS), ...Object.values(CHANGE_COMMANDS), ...Object.values(TEAM_COMMANDS)].sort());
  });

  it('declares exactly the settings the extension reads', () => {
    const declared = Object.keys(pkg.contributes.configuration.properties).sort();
    assert.deepEqual(declared, Object.values(SETTINGS).map((k) => `${CONFIG_SECTION}.${k}`).sort());
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
