/** Command ids, setting keys and storage keys, declared once. A test checks package.json against them. */

export const COMMANDS = {
  decomposePrd: 'helios.decomposePrd',
  showPlan: 'helios.showPlan',
  runPlan: 'helios.runPlan',
  pauseRun: 'helios.pauseRun',
  resumeRun: 'helios.resumeRun',
  cancelRun: 'helios.cancelRun',
  pauseTask: 'helios.pauseTask',
  resumeTask: 'helios.resumeTask',
  cancelTask: 'helios.cancelTask',
  showBudget: 'helios.showBudget',
  showDashboard: 'helios.showDashboard',
  pause: 'helios.pause',
  resume: 'helios.resume',
  openBudgetSettings: 'helios.openBudgetSettings',
  setApiKey: 'helios.setApiKey',
  rotateApiKey: 'helios.rotateApiKey',
  clearApiKey: 'helios.clearApiKey',
  showLog: 'helios.showLog',
  showAgentDiffs: 'helios.showAgentDiffs',
  showCacheStats: 'helios.showCacheStats',
  clearCache: 'helios.clearCache',
  unsandboxedVerification: 'helios.unsandboxedVerification',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/** Registered by the analysis view itself (extension/analysis), which owns their handlers. */
export const ANALYSIS_COMMANDS = {
  showDependencyGraph: 'helios.showDependencyGraph',
  refreshDependencyGraph: 'helios.refreshDependencyGraph',
} as const;

/**
 * Registered by the Agent Diffs view (extension/agentDiffs), which owns their handlers: they take
 * tree nodes, diff-editor URIs or comment threads as arguments.
 */
export const CHANGE_COMMANDS = {
  openDiff: 'helios.openChangeDiff',
  acceptTask: 'helios.acceptTaskChange',
  rejectTask: 'helios.rejectTaskChange',
  acceptFile: 'helios.acceptFileChange',
  rejectFile: 'helios.rejectFileChange',
  acceptHunk: 'helios.acceptHunk',
  rejectHunk: 'helios.rejectHunk',
  resolveConflict: 'helios.resolveConflict',
  acceptPlan: 'helios.acceptPlan',
  openPlanDiff: 'helios.openPlanDiff',
  cleanUpPlanBranches: 'helios.cleanUpPlanBranches',
  rerunStaleTask: 'helios.rerunStaleTask',
  refresh: 'helios.refreshAgentDiffs',
  findingReply: 'helios.findingReply',
  findingResolve: 'helios.findingResolve',
  findingReopen: 'helios.findingReopen',
  findingApply: 'helios.findingApplySuggestion',
} as const;

/** Registered by the Helios views (extension/views), which own their handlers. */
export const VIEW_COMMANDS = {
  openSamplePrd: 'helios.openSamplePrd',
  choosePayment: 'helios.choosePayment',
} as const;

/**
 * Set by extension/views: the walkthrough's steps complete on them (`onContext:`), and the
 * dependency graph shows only in JS/TS workspaces. Keys only ever turn on.
 */
export const WALKTHROUGH_KEYS = {
  /** The user chose how to pay (the simulator included), or a key or provider is set. */
  paymentChosen: 'helios.walkthrough.paymentChosen',
  /** The workspace holds a PRD (the sample or the user's own). */
  hasPrd: 'helios.walkthrough.hasPrd',
  /** A plan ran to the end. */
  planRan: 'helios.walkthrough.planRan',
  /** The user accepted or rejected a proposed change (or some of its hunks). */
  reviewed: 'helios.walkthrough.reviewed',
} as const;

export type WalkthroughKey = (typeof WALKTHROUGH_KEYS)[keyof typeof WALKTHROUGH_KEYS];

/** The folder has a package.json, tsconfig.json or jsconfig.json at a root: the dependency graph applies. */
export const JS_WORKSPACE_KEY = 'helios.jsWorkspace';

/** Registered by the account host (extension/accountHost), which owns the board they switch. */
export const TEAM_COMMANDS = {
  useTeamRedis: 'helios.useTeamRedis',
  stopTeamRedis: 'helios.stopTeamRedis',
} as const;

/**
 * The context keys Helios sets (owned by extension/contextKeys): menus and the command palette
 * show only what can run now. A test checks every `when` clause of package.json against them.
 */
export const CONTEXT_KEYS = {
  /** A plan runs in this window. */
  running: 'helios.running',
  /** The user's Pause holds every new model call. */
  paused: 'helios.paused',
  /** The latest plan stopped with tasks left (paused, or the window closed mid-run) and is not running here. */
  canResume: 'helios.canResume',
  /** A plan is stored for this workspace. */
  hasPlan: 'helios.hasPlan',
  /** Agent Diffs holds changes waiting for a decision. */
  hasProposals: 'helios.hasProposals',
} as const;

export type ContextKey = (typeof CONTEXT_KEYS)[keyof typeof CONTEXT_KEYS];

/** Keys under the `helios.` configuration section, mapped to the core settings' field names. */
export const SETTINGS = {
  provider: 'provider',
  claudeCodePath: 'claudeCode.path',
  anthropicBaseUrl: 'anthropic.baseUrl',
  architectModel: 'architect.model',
  architectMaxOutputTokens: 'architect.maxOutputTokens',
  requestTimeoutSeconds: 'requestTimeoutSeconds',
  maxRetries: 'maxRetries',
  simulatorSpeedUp: 'simulator.speedUp',
  apiKeyRotationDays: 'apiKeyRotationDays',
  budgetPlan: 'budget.plan',
  budgetWindowTokens: 'budget.windowTokens',
  budgetWindowMessages: 'budget.windowMessages',
  budgetOpusWeight: 'budget.opusWeight',
  budgetDailyUsd: 'budget.dailyUsd',
  budgetMonthlyUsd: 'budget.monthlyUsd',
  budgetThrottleAt: 'budget.throttleAt',
  budgetIncludeClaudeCode: 'budget.includeClaudeCode',
  runConcurrency: 'run.concurrency',
  runPerPlanConcurrency: 'run.perPlanConcurrency',
  routerDefaultMap: 'router.defaultMap',
  routerOpusShareLimit: 'router.opusShareLimit',
  routerHaikuEnabled: 'router.haikuEnabled',
  routerFableEnabled: 'router.fableEnabled',
  claudeCodeMaxConcurrency: 'claudeCode.maxConcurrency',
  metricsPort: 'metrics.port',
  reviewEnabled: 'review.enabled',
  plansGitBranch: 'plans.gitBranch',
  reviewMaxRounds: 'review.maxRounds',
  reviewAutoAcceptApproved: 'review.autoAcceptApproved',
  verifyCommand: 'verify.command',
  verifyAllowedHosts: 'verify.allowedHosts',
  verifyTimeoutSeconds: 'verify.timeoutSeconds',
  cacheEnabled: 'cache.enabled',
  cacheSemanticEnabled: 'cache.semantic.enabled',
} as const;

/**
 * Settings Helios no longer reads but still looks for in a repository's files, to say they are
 * ignored: running verification unsandboxed is now a consent in Helios's own storage.
 */
export const LEGACY_SETTINGS = {
  verifyAllowUnsandboxed: 'verify.allowUnsandboxed',
} as const;

export const CONFIG_SECTION = 'helios';

export const SECRET_KEYS = {
  anthropicApiKey: 'helios.anthropicApiKey',
  /** The team's Redis URL (`helios.team.redisUrl`): it may carry a password, so it is a secret. */
  teamRedisUrl: 'helios.team.redisUrl',
} as const;

export const STATE_KEYS = {
  simulatorNoticeShown: 'helios.simulatorNoticeShown',
  /** Global state: the user picked a way to pay (Choose How to Pay), the simulator included. */
  paymentChosen: 'helios.paymentChosen',
  apiKeySetOn: 'helios.apiKeySetOn',
  rotationRemindedFor: 'helios.rotationRemindedFor',
  /** Workspace state: the user's consent to verify without a sandbox in this folder. */
  unsandboxedConsent: 'helios.unsandboxedConsent',
  /** Workspace state: repository settings already warned about (file, key, value). */
  repositorySettingsWarned: 'helios.repositorySettingsWarned',
} as const;

/** VS Code's own command that opens the Workspace Trust editor. */
export const MANAGE_TRUST_COMMAND = 'workbench.trust.manage';

export const STATUS_ITEM_ID = 'helios.budget';
export const LOG_CHANNEL_NAME = 'Helios';
