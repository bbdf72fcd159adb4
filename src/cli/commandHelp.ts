import { minimumWindowTokens } from '../core/governor/windowFloor';
import { wantsHelp } from './cliArgs';

/**
 * `helios <command> --help`: the command's usage line and each flag with its meaning and range.
 * The ranges are the ones the commands check (cliArgs.ts), so help and errors agree.
 */
interface CommandHelp {
  readonly usage: string;
  readonly about: string;
  readonly flags: ReadonlyArray<readonly [flag: string, meaning: string]>;
}

const floor = minimumWindowTokens().toLocaleString('en-US');

export const RUN_LIMITS = { concurrency: 256, perPlan: 64 } as const;

const HELP: Readonly<Record<string, CommandHelp>> = {
  run: {
    usage: 'run <plan.json|prd.md>… [flags]',
    about: 'Runs plans headless: a plan.json (from "helios decompose --json", or a bare {"tasks": […]} graph) or a PRD, decomposed first. State lives in --state, so a killed run resumes.',
    flags: [
      ['--concurrency N', `tasks running at once across all plans (1–${RUN_LIMITS.concurrency}, default 8)`],
      ['--per-plan N', `tasks running at once in one plan (1–${RUN_LIMITS.perPlan}, default 4)`],
      ['--state DIR', 'where runs, proposed changes, caches and the ledger are kept (default .helios)'],
      ['--account-dir DIR', 'the account\'s ledger and calls in flight, shared by every run and window that names it, so one cap holds across them (default: the per-user account directory every VS Code window uses, ~/.local/share/helios on Linux, or HELIOS_ACCOUNT_DIR)'],
      ['(env) HELIOS_TEAM_REDIS_URL', 'team mode: admit against the team\'s cap and share its ledger and exact-match cache on this Redis (an environment variable, so its password stays out of argv); an unreachable Redis stops the run before any call'],
      ['--workspace DIR', 'the code the tasks read and change (default .)'],
      ['--provider P', 'anthropic, simulator or claude-code (default: the API when ANTHROPIC_API_KEY is set, else the simulator)'],
      ['--speed-up X', 'the embedded simulator runs X times faster (a positive number, default 1)'],
      ['--window-tokens N', `cap per 5-hour window in Sonnet-weighted tokens (at least ${floor}, one Coder call; default 10,000,000)`],
      ['--max-output-tokens N', 'output budget of the Architect\'s planning call for a PRD (1,024–128,000, default 32,000)'],
      ['--metrics-port N', 'serve Prometheus metrics on 127.0.0.1:N during the run (0–65535; 0 picks a free port)'],
      ['--review', 'have the Reviewer review each change'],
      ['--review-rounds N', 'review and rework rounds per task (1–5, default 2)'],
      ['--verify "<command>"|auto', 'run the tests in a sandbox after each task'],
      ['--verify-allow-host H', 'a host the verify sandbox may reach (repeatable)'],
      ['--apply', 'write the plan\'s result to the workspace (three-way merged; conflicts are reported, never overwritten); needs --review or --verify'],
      ['--apply-unreviewed', 'write the plan\'s result although no Reviewer or verify command checked it'],
      ['--no-cache', 'no L2/L3 response caches in --state'],
      ['--no-git', 'no plan branch; the result stays in --state'],
      ['--replan', 'decompose a PRD afresh even though --state holds a plan of it (without it, an unchanged PRD resumes its plan and a changed one stops)'],
      ['--json', 'print the summary as JSON'],
    ],
  },
  decompose: {
    usage: 'decompose <prd.md> [flags]',
    about: 'Turns a PRD into a validated task graph with the Architect and prints it (nothing is run).',
    flags: [
      ['--json', 'print the whole plan as JSON (a plan.json "helios run" accepts)'],
      ['--model ID', 'the Architect\'s model (default claude-opus-5-5)'],
      ['--max-output-tokens N', 'output budget of the planning call (1,024 up to the model\'s maximum, default 32,000); raise it for very large PRDs'],
      ['--speed-up X', 'the embedded simulator runs X times faster (a positive number, default 1)'],
      ['--provider P', 'anthropic, simulator or claude-code'],
    ],
  },
  graph: {
    usage: 'graph <dir> [flags]',
    about: 'Prints the import graph of the TypeScript/JavaScript files under a folder.',
    flags: [
      ['--json', 'print the graph as JSON ({ file: [deps] }, madge-shaped); timings go to stderr'],
      ['--no-external', 'leave out packages outside the folder'],
      ['--cache DIR', 'keep the parsed graph in DIR and reuse it next time'],
    ],
  },
  context: {
    usage: 'context <dir> --task "<text>" [flags]',
    about: 'Prints the context the Coder would get for a task.',
    flags: [
      ['--task "<text>"', 'the task, in words (required)'],
      ['--files a,b', 'the task\'s files (default: the likeliest three)'],
      ['--budget N', 'token budget of the context (default 8000)'],
      ['--json', 'print the context as JSON'],
      ['--cache DIR', 'reuse a graph cache'],
    ],
  },
  'bench governor': {
    usage: 'bench governor [flags]',
    about: 'Hammers the Resource Governor with concurrent fake calls and checks that no window overshoots its cap.',
    flags: [
      ['--concurrency N', 'calls in flight at once (1–10,000, default 20)'],
      ['--calls M', 'calls in total (1–10,000,000, default 1000)'],
      ['--cap C', 'comma-separated caps in weighted tokens (default 50000,200000,1000000)'],
      ['--fault-rate F', 'share of calls that fail, 0–1 (default 0)'],
      ['--abort-rate A', 'share of calls that are aborted, 0–1 (default 0)'],
      ['--processes P', 'run P OS processes against one cap (1–64), on one account directory and then on one Redis (team mode, when redis-server is on PATH or --redis-url is given); with --calls and --concurrency per process'],
      ['--mode local|team', 'with --processes: run only local mode (one account directory) or only team mode (one Redis)'],
      ['--redis-url URL', 'with --processes: team mode on this Redis (a namespace of its own, deleted at the end) instead of a redis-server started on 127.0.0.1'],
      ['--kill-one-after-ms T', 'with --processes: SIGKILL one process once it holds reservations, T ms in; its reservations must free up within the lease'],
      ['--lease-ms L', 'with --processes: how long a reservation counts without renewal (default 2000)'],
      ['--wait-ms W', 'with --processes: how long a call waits for the cap before it gives up (default 3000)'],
      ['--json', 'print the results as JSON'],
    ],
  },
  'bench workflow': {
    usage: 'bench workflow [flags]',
    about: 'Runs generated plans against the simulator, once with a fixed model and once with Helios, and compares them.',
    flags: [
      ['--plans N', 'plans to run (a whole number, at least 1)'],
      ['--speed-up X', 'the simulator runs X times faster (a positive number)'],
      ['--seed S', 'seed of the generated plans (a whole number)'],
      ['--concurrency N', 'tasks at once across plans (at least 1)'],
      ['--per-plan N', 'tasks at once in one plan (at least 1)'],
      ['--cap T', 'window cap in weighted tokens (at least 1)'],
      ['--json', 'print the results as JSON'],
    ],
  },
  'bench cache': {
    usage: 'bench cache [flags]',
    about: 'Measures the L2/L3 response caches on a synthetic workload.',
    flags: [
      ['--intents N', 'distinct requests in the workload'],
      ['--seed S', 'seed of the workload'],
      ['--sizes 1000,10000,50000', 'L3 index sizes to time'],
      ['--json', 'print the results as JSON'],
    ],
  },
  'bench graph': {
    usage: 'bench graph <dir> [flags]',
    about: 'Times the import-graph analysis of a folder, optionally against madge.',
    flags: [
      ['--runs N', 'timed runs (default 3)'],
      ['--updates N', 'single-file updates timed (default 20)'],
      ['--madge', 'time madge too, when installed'],
      ['--json', 'print the results as JSON'],
    ],
  },
};

/**
 * The help text when `argv` asks for it (`helios run --help`, `helios bench workflow -h`), else
 * undefined, so commands without a help entry keep their own handling.
 */
export function helpFor(command: string, argv: readonly string[]): string | undefined {
  if (!wantsHelp(argv)) return undefined;
  const key = command === 'bench' ? `bench ${argv[0] ?? ''}` : command;
  const help = HELP[key];
  if (!help) {
    if (command !== 'bench') return undefined;
    return `Usage:\n${Object.entries(HELP).filter(([k]) => k.startsWith('bench ')).map(([, h]) => `  helios ${h.usage}`).join('\n')}\n\nRun "helios bench <name> --help" for a benchmark's flags.\n`;
  }
  const width = Math.max(...help.flags.map(([f]) => f.length));
  return `Usage: helios ${help.usage}\n\n${help.about}\n\nFlags:\n${help.flags.map(([f, m]) => `  ${f.padEnd(width)}  ${m}`).join('\n')}\n  ${'--help'.padEnd(width)}  show this help\n`;
}
