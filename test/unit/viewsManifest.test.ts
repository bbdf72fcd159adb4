import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

/** The Helios container and its walkthrough as package.json declares them, against what ships. */
interface Step { id: string; media: { markdown?: string; image?: string }; completionEvents?: string[] }
interface Manifest {
  activationEvents: string[];
  contributes: {
    viewsContainers: { activitybar: Array<{ id: string; icon: string }> };
    views: Record<string, Array<{ id: string; when?: string }>>;
    viewsWelcome: Array<{ view: string }>;
    walkthroughs: Array<{ id: string; steps: Step[] }>;
  };
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;
const nls = (lang: string) => JSON.parse(readFileSync(`package.nls${lang}.json`, 'utf8')) as Record<string, string>;
const unkey = (value: string, strings: Record<string, string>) => (/^%(.+)%$/.exec(value) ? strings[/^%(.+)%$/.exec(value)![1]!]! : value);

describe('the Helios container and walkthrough in package.json', () => {
  it('puts Plans, Agent Diffs, Budget and the dependency graph (JS/TS folders only) in an activity-bar container with a shipped icon', () => {
    const container = pkg.contributes.viewsContainers.activitybar.find((c) => c.id === 'helios');
    assert.ok(container && existsSync(container.icon), 'the container\'s icon is in media/');
    assert.deepEqual(pkg.contributes.views.helios?.map((v) => v.id), ['helios.plans', 'helios.agentDiffs', 'helios.budget', 'helios.dependencyGraph']);
    assert.equal(pkg.contributes.views.helios?.find((v) => v.id === 'helios.dependencyGraph')?.when, 'helios.jsWorkspace');
    assert.equal(pkg.contributes.views.explorer, undefined, 'nothing of Helios is left in the Explorer');
  });

  it('gives every view a welcome that says what to do first', () => {
    const welcomed = new Set(pkg.contributes.viewsWelcome.map((w) => w.view));
    for (const view of pkg.contributes.views.helios ?? []) assert.ok(welcomed.has(view.id), `${view.id} has a viewsWelcome`);
  });

  it('walks through six steps, each completing on an event and with its page in English and Korean', () => {
    const steps = pkg.contributes.walkthroughs[0]!.steps;
    assert.deepEqual(steps.map((s) => s.id), ['pay', 'prd', 'decompose', 'run', 'review', 'budget']);
    for (const step of steps) {
      assert.ok((step.completionEvents ?? []).length > 0, `${step.id} completes on an event, not on a click of its title`);
      for (const lang of ['', '.ko']) {
        const media = unkey(step.media.markdown ?? '', nls(lang));
        assert.ok(media && existsSync(media), `${step.id}${lang}: ${media} exists`);
      }
      assert.notEqual(unkey(step.media.markdown!, nls('')), unkey(step.media.markdown!, nls('.ko')), `${step.id} has its own Korean page`);
    }
  });

  it('starts where Helios has something to show, not in every window', () => {
    assert.ok(!pkg.activationEvents.includes('onStartupFinished'));
    assert.ok(pkg.activationEvents.includes('workspaceContains:**/PRD.md'));
    assert.ok(pkg.activationEvents.includes(`onWalkthrough:${pkg.contributes.walkthroughs[0]!.id}`));
  });

  it('ships a sample PRD that decomposes into several tasks', () => {
    const sample = readFileSync('media/samplePrd.md', 'utf8');
    assert.match(sample, /^# PRD: /);
    assert.ok([...sample.matchAll(/^## /gm)].length >= 5, 'one task per ## section');
  });
});
