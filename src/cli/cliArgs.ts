import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { minimumWindowTokens } from '../core/governor/windowFloor';

/**
 * The CLI's argument parsing: `node:util` parseArgs for the shape, zod for the values. A bad flag
 * is a `CliUsageError` — one sentence, exit code 2 — never a value coerced to a default.
 */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

type Parsed<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>;

/**
 * parseArgs with two fixes for users: a negative number after a string flag (`--concurrency -5`)
 * is taken as that flag's value, so it gets the range message instead of "ambiguous"; and
 * parseArgs' own errors become one sentence that points at `helios <command> --help`.
 */
export function parseFlags<T extends ParseArgsConfig>(command: string, config: T): Parsed<T> {
  const args = joinNegativeValues(config.args ?? [], config.options ?? {});
  try {
    return parseArgs({ ...config, args }) as Parsed<T>;
  } catch (error) {
    throw new CliUsageError(`${describeParseError(error, config)} (see helios ${command} --help).`);
  }
}

function joinNegativeValues(argv: readonly string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...out, ...argv.slice(i)];
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function describeParseError(error: unknown, config: ParseArgsConfig): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  // parseArgs names the option between quotes; its codes say which kind of mistake it was.
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${option}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const name = option.replace(/^-+/, '');
      return config.options?.[name]?.type === 'boolean' ? `${option} takes no value` : `${option} needs a value`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${option ? `'${option}'` : ''}`.trim();
    default:
      return message;
  }
}

interface IntRange {
  readonly min: number;
  readonly max?: number;
  /** The sentence for a whole number below `min`, when the bare range says too little. */
  readonly belowMin?: (value: number) => string;
}

const wholeNumber = z.string().trim().regex(/^[+-]?\d+$/).transform(Number);

/**
 * A whole-number flag: `intFlag('--concurrency', '1.5', { min: 1, max: 256, default: 8 })` throws
 * "--concurrency must be a whole number from 1 to 256, got '1.5'". Absent → `default`.
 */
export function intFlag(name: string, value: string, range: IntRange): number;
export function intFlag(name: string, value: string | undefined, range: IntRange & { readonly default: number }): number;
export function intFlag(name: string, value: string | undefined, range: IntRange): number | undefined;
export function intFlag(name: string, value: string | undefined, range: IntRange & { readonly default?: number }): number | undefined {
  if (value === undefined) return range.default;
  const parsed = wholeNumber.safeParse(value);
  const n = parsed.success ? parsed.data : Number.NaN;
  if (parsed.success && n < range.min && range.belowMin) throw new CliUsageError(range.belowMin(n));
  const inRange = z.number().int().min(range.min).max(range.max ?? Number.MAX_SAFE_INTEGER).safeParse(n).success;
  if (!inRange) {
    const bounds = range.max === undefined ? `of at least ${range.min}` : `from ${range.min} to ${range.max}`;
    throw new CliUsageError(`${name} must be a whole number ${bounds}, got '${value}'.`);
  }
  return n;
}

type NumberRange =
  | { readonly above: number; readonly max?: undefined }
  | { readonly min: number; readonly max: number };

const decimal = z.string().trim().regex(/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i).transform(Number);

/**
 * A decimal flag, either above a bound (`{ above: 0 }`: "--speed-up must be a positive number,
 * got '0'") or within one (`{ min: 0, max: 1 }`: "--fault-rate must be a number from 0 to 1").
 */
export function numberFlag(name: string, value: string | undefined, range: NumberRange & { readonly default: number }): number {
  if (value === undefined) return range.default;
  const bound = 'above' in range ? z.number().gt(range.above) : z.number().min(range.min).max(range.max);
  const parsed = decimal.pipe(bound).safeParse(value);
  if (parsed.success) return parsed.data;
  const what = 'above' in range
    ? (range.above === 0 ? 'a positive number' : `a number above ${range.above}`)
    : `a number from ${range.min} to ${range.max}`;
  throw new CliUsageError(`${name} must be ${what}, got '${value}'.`);
}

/** `--help` or `-h` anywhere before a `--`. */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/**
 * `--window-tokens`: a cap below one Coder call's reservation is refused with the numbers, since
 * the governor would hold the first call forever (see `minimumWindowTokens`).
 */
export function windowTokensFlag(value: string | undefined, fallback: number): number {
  const floor = minimumWindowTokens();
  const shown = floor.toLocaleString('en-US');
  return intFlag('--window-tokens', value, {
    min: floor, default: fallback,
    belowMin: (n) => `--window-tokens ${n} is below what one Coder call can reserve (about ${shown} tokens): raise it to at least ${shown}.`,
  });
}
