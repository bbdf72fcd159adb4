import { z } from 'zod';
import type { ModelFamily } from '../../shared/models';
import { TASK_TYPES, type TaskType } from '../../shared/taskGraph';

/**
 * The router's settings, parsed and clamped once (the extension passes raw configuration values;
 * core only sees the immutable result). Unknown task types and families are dropped, not fatal.
 */

export interface RouterSettings {
  /** The family each task type goes to before cost-benefit and budget adjustments. */
  readonly defaultMap: Readonly<Record<TaskType, ModelFamily>>;
  /** Task types whose default the user changed (reported as `override` reasons). */
  readonly overriddenTypes: readonly TaskType[];
  /** Above this share of the window's usage on Opus (0–1), tasks that don't need Opus go to Sonnet. */
  readonly opusShareLimit: number;
  /** Trivial tasks (and documentation) may go to Haiku. */
  readonly haikuEnabled: boolean;
  /** Escalation may go above Opus to Fable. Off by default: Fable costs 2.5× Opus. */
  readonly fableEnabled: boolean;
  /** Task types never moved off Opus by the budget (throttling or the Opus share). */
  readonly requireOpusTypes: readonly TaskType[];
  /** The model id used for each family; defaults to DEFAULT_MODEL_BY_FAMILY. */
  readonly modelByFamily: Readonly<Partial<Record<ModelFamily, string>>>;
}

export const BUILTIN_FAMILY_BY_TASK_TYPE: Readonly<Record<TaskType, ModelFamily>> = {
  architectural_reasoning: 'opus',
  high_level_planning: 'opus',
  code_review: 'opus',
  boilerplate_generation: 'sonnet',
  unit_test: 'sonnet',
  refactoring: 'sonnet',
  code_generation: 'sonnet',
  integration_test: 'sonnet',
  bug_fix: 'sonnet',
  documentation: 'haiku',
};

export const DEFAULT_ROUTER_SETTINGS: RouterSettings = Object.freeze<RouterSettings>({
  defaultMap: BUILTIN_FAMILY_BY_TASK_TYPE,
  overriddenTypes: [],
  opusShareLimit: 0.5,
  haikuEnabled: true,
  fableEnabled: false,
  requireOpusTypes: ['architectural_reasoning'],
  modelByFamily: {},
});

const FAMILY = z.enum(['haiku', 'sonnet', 'opus', 'fable']);
const TASK_TYPE = z.enum(TASK_TYPES);

const RawRouterSettings = z.object({
  defaultMap: z.record(z.string(), z.unknown()).catch({}).default({}),
  opusShareLimit: z.preprocess((v) => (typeof v === 'number' && Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0.5), z.number()),
  haikuEnabled: z.boolean().catch(true).default(true),
  fableEnabled: z.boolean().catch(false).default(false),
  requireOpusTypes: z.array(z.unknown()).catch(['architectural_reasoning']).default(['architectural_reasoning']),
  modelByFamily: z.record(z.string(), z.unknown()).catch({}).default({}),
});

/** The router's settings from Helios's parsed settings. */
export function routerSettingsFrom(s: {
  readonly routerDefaultMap: Readonly<Record<string, string>>;
  readonly routerOpusShareLimit: number;
  readonly routerHaikuEnabled: boolean;
  readonly routerFableEnabled: boolean;
}): RouterSettings {
  return parseRouterSettings({
    defaultMap: s.routerDefaultMap, opusShareLimit: s.routerOpusShareLimit, haikuEnabled: s.routerHaikuEnabled, fableEnabled: s.routerFableEnabled,
  });
}

/** Parses raw settings (e.g. `helios.router.*`), ignoring what is malformed. */
export function parseRouterSettings(raw: Readonly<Record<string, unknown>> = {}): RouterSettings {
  const parsed = RawRouterSettings.parse(raw);
  const defaultMap: Record<TaskType, ModelFamily> = { ...BUILTIN_FAMILY_BY_TASK_TYPE };
  const overriddenTypes: TaskType[] = [];
  for (const [key, value] of Object.entries(parsed.defaultMap)) {
    const type = TASK_TYPE.safeParse(key);
    const family = FAMILY.safeParse(value);
    if (!type.success || !family.success) continue;
    defaultMap[type.data] = family.data;
    if (family.data !== BUILTIN_FAMILY_BY_TASK_TYPE[type.data]) overriddenTypes.push(type.data);
  }
  const requireOpusTypes = [...new Set(parsed.requireOpusTypes.flatMap((t) => {
    const type = TASK_TYPE.safeParse(t);
    return type.success ? [type.data] : [];
  }))];
  const modelByFamily: Partial<Record<ModelFamily, string>> = {};
  for (const [key, value] of Object.entries(parsed.modelByFamily)) {
    const family = FAMILY.safeParse(key);
    if (family.success && typeof value === 'string' && value.trim().length > 0) modelByFamily[family.data] = value.trim();
  }
  return Object.freeze({
    defaultMap: Object.freeze(defaultMap),
    overriddenTypes,
    opusShareLimit: parsed.opusShareLimit,
    haikuEnabled: parsed.haikuEnabled,
    fableEnabled: parsed.fableEnabled,
    requireOpusTypes,
    modelByFamily: Object.freeze(modelByFamily),
  });
}
