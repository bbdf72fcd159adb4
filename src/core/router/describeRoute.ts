import type { ModelFamily } from '../../shared/models';
import type { TaskType } from '../../shared/taskGraph';
import type { RouteReason } from './router';

/**
 * English one-liners for the CLI and logs ("boilerplate → Sonnet"). The extension localizes the
 * reason codes itself; this is the reference wording.
 */

const FAMILY_NAME: Readonly<Record<ModelFamily, string>> = { haiku: 'Haiku', sonnet: 'Sonnet', opus: 'Opus', fable: 'Fable' };

export const TASK_TYPE_LABEL: Readonly<Record<TaskType, string>> = {
  architectural_reasoning: 'architecture',
  high_level_planning: 'planning',
  code_generation: 'code',
  boilerplate_generation: 'boilerplate',
  refactoring: 'refactoring',
  unit_test: 'unit tests',
  integration_test: 'integration tests',
  code_review: 'code review',
  documentation: 'docs',
  bug_fix: 'bug fix',
};

export function describeRoute(reason: RouteReason): string {
  const to = FAMILY_NAME[reason.params.family];
  switch (reason.code) {
    case 'default_map':
      return `${TASK_TYPE_LABEL[reason.params.taskType]} → ${to}`;
    case 'override':
      return reason.params.source === 'task'
        ? `task requires Opus → ${to}`
        : `${TASK_TYPE_LABEL[reason.params.taskType]} → ${to} (setting)`;
    case 'trivial_to_haiku':
      return `small ${TASK_TYPE_LABEL[reason.params.taskType]} → ${to}`;
    case 'complex_up':
      return `complex, ${reason.params.fanOut} dependant${reason.params.fanOut === 1 ? '' : 's'} → ${to}`;
    case 'throttled_to_sonnet':
      return `budget ${reason.params.state} → ${to}`;
    case 'opus_share_to_sonnet':
      return `Opus budget at ${reason.params.sharePercent} % → ${to}`;
    case 'escalated':
      return reason.params.from === reason.params.family
        ? `retried after failed ${reason.params.cause} → ${to} (strongest enabled)`
        : `escalated after failed ${reason.params.cause} → ${to}`;
    case 'rebase':
      return `rebased on the plan's merged tree → ${to}`;
  }
}
