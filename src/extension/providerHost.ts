import * as vscode from 'vscode';
import type { HeliosSettings } from '../core/config/settings';
import { HeliosError } from '../core/errors/heliosError';
import { ConcurrencyLimitedClient, Semaphore } from '../core/llm/concurrencyLimit';
import type { LlmClient } from '../core/llm/llmClient';
import { anthropicClientEndpoint, anthropicEndpoint, type AnthropicEndpoint } from '../core/security/endpoint';
import type { ClaudeSimulator } from '../simulator/simulator';
import { SECRET_KEYS } from './constants';

export type ProviderMode = 'anthropic' | 'simulator' | 'claude-code';

/** The key the simulator accepts; it is not a secret and never reaches the real API. */
const SIMULATOR_KEY = 'helios-simulator';

/**
 * Decides which provider serves model calls and builds its client. The embedded simulator starts
 * on first use (never at activation) on 127.0.0.1 with a free port, and stops on dispose.
 */
export class ProviderHost implements vscode.Disposable {
  private simulator: Promise<ClaudeSimulator> | undefined;
  private cachedKey: string | undefined;
  /** Claude Code processes running at once, shared by every client this host builds. */
  private claudeSlots: Semaphore | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly settings: () => HeliosSettings,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Reads the key once from SecretStorage (then from memory), falling back to the environment. */
  async refreshKey(): Promise<void> {
    this.cachedKey = (await this.secrets.get(SECRET_KEYS.anthropicApiKey)) || process.env.ANTHROPIC_API_KEY || undefined;
    this.changed.fire();
  }

  get hasKey(): boolean {
    return this.cachedKey !== undefined;
  }

  mode(): ProviderMode {
    const setting = this.settings().provider;
    if (setting === 'auto') return this.hasKey ? 'anthropic' : 'simulator';
    return setting;
  }

  /** Where Anthropic calls (and the key) go, when the Anthropic provider is in use. */
  endpoint(): AnthropicEndpoint | undefined {
    return this.mode() === 'anthropic' ? anthropicEndpoint(this.settings().anthropicBaseUrl) : undefined;
  }

  async client(): Promise<LlmClient> {
    // Restricted Mode: no model call and no `claude` process for an untrusted folder's content.
    if (!vscode.workspace.isTrusted) throw new HeliosError('workspace_untrusted', 'Model calls need a trusted workspace', { feature: 'agents' });
    const settings = this.settings();
    const common = { timeoutMs: settings.requestTimeoutSeconds * 1000, maxRetries: settings.maxRetries };
    // The SDK is the largest module in the bundle: load it on the first model call, not at activation.
    const { AnthropicLlmClient } = await import('../infra/anthropic/anthropicClient');
    if (this.mode() === 'claude-code') {
      // The user's own logged-in Claude Code spends their Pro/Max subscription; Helios never reads its credentials.
      const { ClaudeCodeLlmClient } = await import('../infra/claudeCode/claudeCodeClient');
      this.claudeSlots ??= new Semaphore(settings.claudeCodeMaxConcurrency);
      return new ConcurrencyLimitedClient(new ClaudeCodeLlmClient({
        ...(settings.claudeCodePath ? { binaryPath: settings.claudeCodePath } : {}),
        timeoutMs: settings.requestTimeoutSeconds * 1000,
        onStderr: (chunk) => this.log.debug(`[claude] ${chunk.trimEnd()}`),
      }), this.claudeSlots);
    }
    if (this.mode() === 'simulator') {
      const sim = await this.startSimulator();
      return new AnthropicLlmClient({ ...common, apiKey: SIMULATOR_KEY, baseURL: sim.url, provider: 'simulator' });
    }
    if (!this.cachedKey) throw new HeliosError('no_api_key', 'No Anthropic API key is set');
    return new AnthropicLlmClient({
      ...common,
      apiKey: this.cachedKey,
      // From the user's settings only (settingPolicy.ts): a repository cannot send the key elsewhere.
      ...anthropicClientEndpoint(settings),
      provider: 'anthropic',
    });
  }

  private startSimulator(): Promise<ClaudeSimulator> {
    if (!this.simulator) {
      const speedUp = this.settings().simulatorSpeedUp;
      this.simulator = import('../simulator/simulator').then(async ({ ClaudeSimulator }) => {
        const sim = await ClaudeSimulator.start({ port: 0, speedUp, log: (line) => this.log.trace(`[simulator] ${line}`) });
        this.log.info(`Embedded Claude simulator listening on ${sim.url} (speed-up ×${speedUp})`);
        return sim;
      });
      this.simulator.catch(() => (this.simulator = undefined));
    }
    return this.simulator;
  }

  /** Settings that shape the simulator (its speed) take effect on its next start. */
  async restartSimulator(): Promise<void> {
    const running = this.simulator;
    this.simulator = undefined;
    if (running) await (await running).stop();
  }

  dispose(): void {
    void this.restartSimulator();
    this.changed.dispose();
  }
}
