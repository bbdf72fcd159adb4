import type { HeliosSettings } from '../config/settings';
import { DEFAULT_BUDGET, DEFAULT_FAMILY_WEIGHTS, type BudgetConfig } from './budgetPlans';

/** The budget the settings ask for; `auto` meters dollars for API keys and a window otherwise. */
export function budgetConfigFrom(settings: HeliosSettings, provider: 'anthropic' | 'simulator' | 'claude-code'): BudgetConfig {
  const plan = settings.budgetPlan === 'auto' ? (provider === 'anthropic' ? 'api' : 'max5x') : settings.budgetPlan;
  return {
    ...DEFAULT_BUDGET,
    plan,
    ...(settings.budgetWindowTokens > 0 ? { windowTokens: settings.budgetWindowTokens } : {}),
    ...(settings.budgetWindowMessages >= 0 ? { windowMessages: settings.budgetWindowMessages } : {}),
    familyWeights: { ...DEFAULT_FAMILY_WEIGHTS, opus: settings.budgetOpusWeight },
    dailyUsd: settings.budgetDailyUsd,
    monthlyUsd: settings.budgetMonthlyUsd,
    throttleAt: settings.budgetThrottleAt,
  };
}
