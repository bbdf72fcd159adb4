import { z } from 'zod';

/**
 * Every Helios setting, parsed and clamped once. The extension reads VS Code's configuration and
 * passes the raw values here; core only ever sees the resulting immutable object.
 */
const clampedInt = (min: number, max: number, fallback: number) =>
  z.preprocess(
    (v) => (typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.round(v))) : fallback),
    z.number().int(),
  );

export const SettingsSchema = z.object({
  /** `auto`: the Anthropic API when a key is set, else the embedded simulator. */
  provider: z.enum(['auto', 'anthropic', 'simulator', 'claude-code']).catch('auto'),
  /** The `claude` binary; empty = the one on PATH. */
  claudeCodePath: z.string().trim().catch(''),
  anthropicBaseUrl: z.string().trim().url().or(z.literal('')).catch(''),
  architectModel: z.string().trim().min(1).catch('claude-opus-5-5'),
  architectMaxOutputTokens: clampedInt(1_024, 128_000, 32_000),
  requestTimeoutSeconds: clampedInt(10, 3_600, 600),
  maxRetries: clampedInt(0, 10, 4),
  /** Divides the simulator's latency model; 1 is realistic timing. */
  /** Days after which Helios reminds the user to rotate the API key; 0 turns the reminder off. */
  apiKeyRotationDays: clampedInt(0, 3_650, 30),
  /** `auto`: `api` with an API key, `max5x` for the simulator (a simulated subscription window). */
  budgetPlan: z.enum(['auto', 'pro', 'max5x', 'max20x', 'api', 'custom']).catch('auto'),
  /** Weighted tokens per 5-hour window; 0 = the plan's default. */
  budgetWindowTokens: clampedInt(0, 1_000_000_000, 0),
  /** Calls per 5-hour window; -1 = the plan's default, 0 = no message cap. */
  budgetWindowMessages: clampedInt(-1, 1_000_000, -1),
  budgetOpusWeight: z.preprocess((v) => (typeof v === 'number' && v > 0 && v <= 100 ? v : 2), z.number()),
  budgetDailyUsd: z.preprocess((v) => (typeof v === 'number' && v >= 0 ? v : 10), z.number()),
  budgetMonthlyUsd: z.preprocess((v) => (typeof v === 'number' && v >= 0 ? v : 200), z.number()),
  budgetThrottleAt: z.preprocess((v) => (typeof v === 'number' && v >= 0.05 && v <= 1 ? v : 0.8), z.number()),
  /** Count Claude Code's own calls (from its local logs, read-only) into the window. */
  budgetIncludeClaudeCode: z.boolean().catch(false),
  /** Tasks running at once across all plans, and per plan. */
  runConcurrency: clampedInt(1, 64, 8),
  runPerPlanConcurrency: clampedInt(1, 64, 4),
  /** `helios.router.*`: per-task-type family overrides and the Opus share limit (core/router validates them). */
  routerDefaultMap: z.record(z.string(), z.string()).catch({}),
  routerOpusShareLimit: z.preprocess((v) => (typeof v === 'number' && v >= 0 && v <= 1 ? v : 0.5), z.number()),
  routerHaikuEnabled: z.boolean().catch(true),
  routerFableEnabled: z.boolean().catch(false),
  /** Claude Code processes running at once (the scheduler's limits apply on top). */
  claudeCodeMaxConcurrency: clampedInt(1, 16, 4),
  /** 0 = no metrics endpoint; otherwise the port on 127.0.0.1. */
  metricsPort: clampedInt(0, 65_535, 0),
  /** The Reviewer reviews every change; request_changes with blockers sends it back to the Coder. */
  reviewEnabled: z.boolean().catch(true),
  /** In a git workspace, each plan's result is also a branch `helios/<plan>` in a worktree under Helios's storage. */
  plansGitBranch: z.boolean().catch(true),
  /** Coder → Reviewer rounds per task (2 = at most one rework). */
  reviewMaxRounds: clampedInt(1, 5, 2),
  /** Apply approved changes without conflicts at once (off: the user accepts every change). */
  reviewAutoAcceptApproved: z.boolean().catch(false),
  /** The workspace's verify command; empty = detect (npm test, tsc, pytest, cargo test, go test), `none` = off. */
  verifyCommand: z.string().trim().catch(''),
  /** Hosts a verify command may reach (none by default). */
  verifyAllowedHosts: z.array(z.string().trim().min(1)).catch([]),
  verifyTimeoutSeconds: clampedInt(10, 3_600, 300),
  /**
   * Run the verify command without a sandbox when none is available. Not a VS Code setting: the
   * user's stored consent for this folder and command (core/security/unsandboxedConsent.ts); off
   * without it.
   */
  verifyAllowUnsandboxed: z.boolean().catch(false),
  /** The exact-match (L2) and semantic (L3) caches; L1 prompt caching is always on. */
  cacheEnabled: z.boolean().catch(true),
  cacheSemanticEnabled: z.boolean().catch(true),
  simulatorSpeedUp: z.preprocess((v) => (typeof v === 'number' && v >= 1 && v <= 10_000 ? v : 1), z.number()),
});

export type HeliosSettings = Readonly<z.infer<typeof SettingsSchema>>;

export function parseSettings(raw: Record<string, unknown>): HeliosSettings {
  return Object.freeze(SettingsSchema.parse(raw));
}
