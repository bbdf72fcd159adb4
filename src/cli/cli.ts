import path from 'node:path';
import { decomposePrd } from '../core/agents/architect';
import { readPrd } from '../core/agents/prdInput';
import { HeliosError } from '../core/errors/heliosError';
import type { LlmClient } from '../core/llm/llmClient';
import { createPlan } from '../core/plan/plan';
import { topologicalOrder } from '../core/plan/validateTaskGraph';
import { AnthropicLlmClient } from '../infra/anthropic/anthropicClient';
import { runSimulatorCli } from '../simulator/simulator';
import { analysisCommands } from './analysisCommands';
import { benchCacheCommand } from './benchCache';
import { benchGovernorCommand } from './benchGovernor';
import { benchWorkflowCommand } from './benchWorkflow';
import { runCommand } from './runCommand';
import { usageCommand } from './usageCommand';
import { totalTokens } from '../shared/usage';
import { findModel } from '../shared/models';
import { CliUsageError, intFlag, numberFlag, parseFlags } from './cliArgs';
import { exitCodeOf, explainArchitectTruncated, explainPlanFile, readInputFile } from './cliErrors';
import { helpFor } from './commandHelp';

/**
 * `helios` on the command line, over the same core as the extension. Each subcommand is one entry
 * in COMMANDS; later subcommands (run, budget, cache, metrics) slot in beside these.
 */
interface CliCommand {
  readonly usage: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, CliCommand> = {
  decompose: {
    usage: 'decompose <prd.md> [--json] [--model ID] [--max-output-tokens N] [--speed-up X] [--provider anthropic|simulator|claude-code]',
    run: runDecompose,
  },
  ...analysisCommands,
  usage: usageCommand,
  run: runCommand,
  bench: {
    usage: `${benchGovernorCommand.usage}\n  helios ${benchWorkflowCommand.usage}\n  helios ${benchCacheCommand.usage}\n  helios ${analysisCommands.bench?.usage ?? 'bench graph <dir>'}`,
    run: async (argv) => {
      if (argv[0] === 'governor') return benchGovernorCommand.run(argv.slice(1));
      if (argv[0] === 'workflow') return benchWorkflowCommand.run(argv.slice(1));
      if (argv[0] === 'cache') return benchCacheCommand.run(argv.slice(1));
      if (argv[0] === 'graph' && analysisCommands.bench) return analysisCommands.bench.run(argv);
      return usageError(`unknown benchmark '${argv[0] ?? ''}'`);
    },
  },
  sim: {
    usage: 'sim [--port N] [--speed-up X]',
    run: (argv) => runSimulatorCli(argv),
  },
};

async function runDecompose(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('decompose', {
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      model: { type: 'string', default: 'claude-opus-5-5' },
      'max-output-tokens': { type: 'string', default: '32000' },
      'speed-up': { type: 'string', default: '1' },
      provider: { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file) return usageError('decompose needs a PRD file');
  const speedUp = numberFlag('--speed-up', values['speed-up'], { above: 0, default: 1 });
  const maxOutputTokens = intFlag('--max-output-tokens', values['max-output-tokens'], { min: 1_024, max: findModel(values.model)?.maxOutputTokens ?? 128_000, default: 32_000 });
  if (positionals.length > 1) throw new CliUsageError(`decompose takes one PRD, got ${positionals.length} (see helios decompose --help).`);
  const bytes = await readInputFile(file, 'PRD');
  const prd = readPrd(path.relative(process.cwd(), path.resolve(file)), bytes);
  const { client, stop } = await providerFromEnvironment(speedUp, values.provider);
  try {
    if (!values.json) process.stderr.write(`Decomposing ${prd.path} with ${values.model} via ${client.provider}…\n`);
    const result = await decomposePrd(prd, { client, model: values.model, maxOutputTokens });
    const plan = createPlan({ prd, result, provider: client.provider, now: new Date() });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    } else {
      const byId = new Map(plan.graph.tasks.map((t) => [t.id, t]));
      for (const id of topologicalOrder(plan.graph)) {
        const t = byId.get(id)!;
        const deps = t.dependsOn.length ? ` ← ${t.dependsOn.join(', ')}` : '';
        process.stdout.write(`${t.id.padEnd(5)} [${t.taskType}] ${t.title}${deps}\n`);
      }
      process.stdout.write(`\n${plan.graph.tasks.length} tasks by ${plan.plannedBy} · ${totalTokens(plan.usage)} tokens · $${plan.costUsd.toFixed(4)}${plan.repairs ? ' · 1 repair' : ''}\n`);
    }
    return 0;
  } finally {
    await stop();
  }
}

/** The real API when ANTHROPIC_API_KEY is set (ANTHROPIC_BASE_URL honoured), else the embedded simulator. */
export async function providerFromEnvironment(speedUp: number, provider?: string): Promise<{ client: LlmClient; stop: () => Promise<void> }> {
  if (provider === 'claude-code') {
    // The user's own logged-in `claude` (Pro/Max); with ANTHROPIC_BASE_URL set (tests), it talks to that server.
    const { ClaudeCodeLlmClient } = await import('../infra/claudeCode/claudeCodeClient');
    const baseUrl = process.env.ANTHROPIC_BASE_URL;
    const apiKey = process.env.ANTHROPIC_API_KEY;
    return {
      client: new ClaudeCodeLlmClient({ ...(process.env.HELIOS_CLAUDE_PATH ? { binaryPath: process.env.HELIOS_CLAUDE_PATH } : {}), ...(baseUrl && apiKey ? { apiKey, env: { ...process.env, ANTHROPIC_BASE_URL: baseUrl } } : {}) }),
      stop: async () => {},
    };
  }
  const key = provider === 'simulator' ? undefined : process.env.ANTHROPIC_API_KEY;
  if (key) {
    const baseURL = process.env.ANTHROPIC_BASE_URL;
    return { client: new AnthropicLlmClient({ apiKey: key, ...(baseURL ? { baseURL } : {}), provider: 'anthropic' }), stop: async () => {} };
  }
  const { ClaudeSimulator } = await import('../simulator/simulator');
  const sim = await ClaudeSimulator.start({ port: 0, speedUp });
  return {
    client: new AnthropicLlmClient({ apiKey: 'helios-simulator', baseURL: sim.url, provider: 'simulator' }),
    stop: () => sim.stop(),
  };
}

function usageError(message: string): number {
  process.stderr.write(`helios: ${message}\n\nUsage:\n${Object.values(COMMANDS).map((c) => `  helios ${c.usage}`).join('\n')}\n`);
  return 2;
}

/** English messages for the CLI; the extension localizes the same reasons. */
function explain(error: unknown): string {
  if (!(error instanceof HeliosError)) return error instanceof Error ? error.message : String(error);
  const d = error.details;
  switch (error.reason) {
    case 'prd_empty': return `${String(d.path)} is empty: write the requirements first.`;
    case 'prd_not_text': return `${String(d.path)} is not UTF-8 text: save the PRD as Markdown or plain text.`;
    case 'prd_too_large': return `The PRD is too large: about ${String(d.tokens)} tokens, but ${String(d.model)} accepts ${String(d.limit)}. Split it into smaller PRDs.`;
    case 'plan_invalid': return explainPlanFile(error) ?? `${error.reason}: ${error.message}`;
    case 'model_output_truncated': return explainArchitectTruncated(error) ?? `${error.reason}: ${error.message}`;
    default: return `${error.reason}: ${error.message}`;
  }
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') return usageError(name ? 'usage' : 'no command given');
  const command = COMMANDS[name];
  if (!command) return usageError(`unknown command '${name}'`);
  const help = helpFor(name, rest);
  if (help !== undefined) {
    process.stdout.write(help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    process.stderr.write(`helios: ${explain(error)}\n`);
    return exitCodeOf(error);
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
