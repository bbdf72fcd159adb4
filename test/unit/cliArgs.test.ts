import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CliUsageError, intFlag, numberFlag, parseFlags, wantsHelp, windowTokensFlag } from '../../src/cli/cliArgs';
import { helpFor } from '../../src/cli/commandHelp';
import { minimumWindowTokens } from '../../src/core/governor/windowFloor';

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof CliUsageError, String(error));
    return error.message;
  }
  assert.fail('accepted');
}

/** Issue 18 row 9: flags are checked, never coerced; the messages are one sentence with the range. */
describe('CLI flag values', () => {
  const concurrency = (v: string | undefined) => intFlag('--concurrency', v, { min: 1, max: 256, default: 8 });

  it('takes whole numbers in range and the default when absent', () => {
    assert.equal(concurrency('3'), 3);
    assert.equal(concurrency(' 12 '), 12);
    assert.equal(concurrency(undefined), 8);
  });

  for (const bad of ['0', 'abc', '1.5', '-5', '', '1e2', '0x10', '257']) {
    it(`refuses --concurrency '${bad}' with the range`, () => {
      assert.equal(usageError(() => concurrency(bad)), `--concurrency must be a whole number from 1 to 256, got '${bad}'.`);
    });
  }

  it('takes positive decimals for --speed-up and refuses 0, -1 and text', () => {
    assert.equal(numberFlag('--speed-up', '2.5', { above: 0, default: 1 }), 2.5);
    assert.equal(numberFlag('--speed-up', '1000', { above: 0, default: 1 }), 1000);
    for (const bad of ['0', '-1', 'abc', 'Infinity', 'NaN']) {
      assert.equal(usageError(() => numberFlag('--speed-up', bad, { above: 0, default: 1 })), `--speed-up must be a positive number, got '${bad}'.`);
    }
    assert.equal(usageError(() => numberFlag('--fault-rate', '1.5', { min: 0, max: 1, default: 0 })), "--fault-rate must be a number from 0 to 1, got '1.5'.");
  });

  it('refuses --window-tokens below one Coder call with the numbers', () => {
    const floor = minimumWindowTokens();
    assert.ok(floor >= 4_096 + 2_048);
    const shown = floor.toLocaleString('en-US');
    for (const bad of ['100', '-1', '0']) {
      assert.equal(usageError(() => windowTokensFlag(bad, 10_000_000)),
        `--window-tokens ${bad} is below what one Coder call can reserve (about ${shown} tokens): raise it to at least ${shown}.`);
    }
    assert.match(usageError(() => windowTokensFlag('abc', 10_000_000)), /--window-tokens must be a whole number of at least 6144, got 'abc'/);
    assert.equal(windowTokensFlag(String(floor), 10_000_000), floor);
    assert.equal(windowTokensFlag(undefined, 10_000_000), 10_000_000);
  });
});

describe('parseFlags', () => {
  const options = { concurrency: { type: 'string' }, json: { type: 'boolean' } } as const;
  const parse = (args: string[]) => parseFlags('run', { args, allowPositionals: true, options });

  it('takes a negative number after a string flag as its value, so the range check sees it', () => {
    assert.equal(parse(['plan.json', '--concurrency', '-5']).values.concurrency, '-5');
    assert.equal(parse(['--concurrency=-5']).values.concurrency, '-5');
    assert.deepEqual(parse(['--', '--concurrency', '-5']).positionals, ['--concurrency', '-5']);
  });

  it("turns parseArgs' errors into one sentence pointing at --help", () => {
    assert.equal(usageError(() => parse(['--frob'])), "unknown option '--frob' (see helios run --help).");
    assert.equal(usageError(() => parse(['--concurrency'])), '--concurrency needs a value (see helios run --help).');
    assert.equal(usageError(() => parse(['--json=yes'])), '--json takes no value (see helios run --help).');
  });
});

describe('--help', () => {
  it('is asked for with --help or -h before --', () => {
    assert.ok(wantsHelp(['plan.json', '--help']));
    assert.ok(wantsHelp(['-h']));
    assert.ok(!wantsHelp(['--', '--help']));
  });

  it('prints the usage line and every flag of run, decompose, graph and the benchmarks', () => {
    const run = helpFor('run', ['--help'])!;
    assert.match(run, /^Usage: helios run <plan\.json\|prd\.md>…/);
    for (const flag of ['--concurrency N', '--per-plan N', '--speed-up X', '--window-tokens N', '--max-output-tokens N', '--review-rounds N', '--apply']) {
      assert.ok(run.includes(flag), flag);
    }
    assert.match(helpFor('decompose', ['-h'])!, /--max-output-tokens N/);
    assert.match(helpFor('graph', ['--help'])!, /--no-external/);
    assert.match(helpFor('bench', ['workflow', '--help'])!, /^Usage: helios bench workflow/);
    assert.match(helpFor('bench', ['--help'])!, /helios bench governor[\s\S]*helios bench graph/);
    assert.equal(helpFor('run', ['plan.json']), undefined);
    assert.equal(helpFor('sim', ['--help']), undefined, 'commands without a help entry keep their own handling');
  });

  it('explains every flag the commands list in their usage lines', async () => {
    await import('../../src/cli/cli'); // runCommand and cli import each other: load the entry first, as the CLI does
    const { runCommand } = await import('../../src/cli/runCommand');
    const { benchGovernorCommand } = await import('../../src/cli/benchGovernor');
    const { benchWorkflowCommand } = await import('../../src/cli/benchWorkflow');
    for (const [usage, help] of [
      [runCommand.usage, helpFor('run', ['--help'])!],
      [benchGovernorCommand.usage, helpFor('bench', ['governor', '--help'])!],
      [benchWorkflowCommand.usage, helpFor('bench', ['workflow', '--help'])!],
    ] as const) {
      for (const [flag] of usage.matchAll(/--[a-z-]+/g)) assert.match(help, new RegExp(`\\n  ${flag}\\b`), `${flag} is in the help`);
    }
  });
});
