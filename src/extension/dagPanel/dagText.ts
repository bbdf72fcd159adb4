/**
 * What the DAG panel says about a task's run, in the UI language: task type names, why the
 * router chose the model, why the task failed. Pure (the translator is passed in), so plain
 * node tests it; dagPanelStrings.ts binds it to `vscode.l10n.t`.
 *
 * The run store keeps the router's reason code but not its parameters, so the parameters are
 * recovered from what the plan does keep: the task type, the model (its family) and the graph
 * (fan-out). Where a parameter is not recoverable (the budget state, the Opus share, what failed
 * before an escalation) the sentence says what happened without it, rather than guess.
 */
import type { RouteReasonCode } from '../../core/router/router';
import { findModel, type ModelFamily } from '../../shared/models';
import type { TaskType } from '../../shared/taskGraph';
import type { Translate } from '../translate';


/** Family names are product names: the same in every language. */
const FAMILY_NAME: Readonly<Record<ModelFamily, string>> = { haiku: 'Haiku', sonnet: 'Sonnet', opus: 'Opus', fable: 'Fable' };
const FAMILIES: readonly ModelFamily[] = ['fable', 'opus', 'sonnet', 'haiku'];

export function taskTypeLabels(t: Translate): Readonly<Record<TaskType, string>> {
  return {
    architectural_reasoning: t('Architecture'),
    high_level_planning: t('Planning'),
    code_generation: t('Code generation'),
    boilerplate_generation: t('Boilerplate'),
    refactoring: t('Refactoring'),
    unit_test: t('Unit tests'),
    integration_test: t('Integration tests'),
    code_review: t('Code review'),
    documentation: t('Documentation'),
    bug_fix: t('Bug fix'),
  };
}

/** The family of a model id: from the price table, else from its name (a custom id). */
export function familyOfModel(model: string | undefined): ModelFamily | undefined {
  if (!model) return undefined;
  const lower = model.toLowerCase();
  return findModel(model)?.family ?? FAMILIES.find((f) => lower.includes(f));
}

export interface StoredRoute {
  /** The router's reason code as the run store kept it; undefined for runs stored before codes. */
  readonly code: string | undefined;
  readonly taskType: TaskType;
  readonly model: string | undefined;
  /** Tasks that (transitively) wait for this one. */
  readonly fanOut: number;
}

/** "Boilerplate → Sonnet", "complex, 3 dependants → Opus"; undefined when there is nothing to say. */
export function routeReasonText(route: StoredRoute, t: Translate): string | undefined {
  const family = familyOfModel(route.model);
  if (!route.code || !family) return undefined;
  const to = FAMILY_NAME[family];
  const type = taskTypeLabels(t)[route.taskType] ?? route.taskType;
  switch (route.code as RouteReasonCode) {
    case 'default_map':
      return `${type} → ${to}`;
    case 'override':
      return t('{0} → {1} (required or set in the settings)', type, to);
    case 'trivial_to_haiku':
      return t('{0}, small task → {1}', type, to);
    case 'complex_up':
      return route.fanOut === 1 ? t('complex, 1 task waits for it → {0}', to) : t('complex, {0} tasks wait for it → {1}', route.fanOut, to);
    case 'throttled_to_sonnet':
      return t('held back by the budget → {0}', to);
    case 'opus_share_to_sonnet':
      return t('Opus share at its limit → {0}', to);
    case 'escalated':
      return t('retried after a failed attempt → {0}', to);
    case 'rebase':
      return t('rebased on the plan\'s merged tree → {0}', to);
    default:
      return undefined;
  }
}

/**
 * Why a task failed, for the reasons a task run records; `general` localizes the rest (the
 * host's error adapter), and an unknown reason is named, never its English developer message.
 */
export function taskErrorText(reason: string, t: Translate, general: (reason: string) => string | undefined): string {
  switch (reason) {
    case 'cancelled':
      return t('cancelled');
    case 'unexpected':
      return t('failed unexpectedly; the Helios log has the details');
    case 'plan_invalid':
    case 'model_output_invalid':
      return t('the model\'s answer was invalid');
    case 'model_output_truncated':
      return t('the model\'s answer was cut off');
    case 'model_refused':
      return t('the model declined the task');
    case 'integration_conflict':
      return t('its edits overlap another task');
    default:
      return general(reason) ?? t('failed ({0})', reason);
  }
}

/** What a task skipped because a dependency failed shows. */
export function skippedText(blockedBy: string, t: Translate): string {
  return t('skipped: {0} failed', blockedBy);
}
