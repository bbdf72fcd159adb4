import { isJsonObject } from '../wire';
import type { JsonObject, JsonValue } from '../wire';

/**
 * The generic brain: the smallest plausible instance of a JSON Schema. Objects get their
 * required properties, enums their first value, `anyOf`/`oneOf` their first branch, arrays one
 * item (or `minItems`), strings a word padded to `minLength`. Clients' strict-schema transforms
 * move constraints they cannot send into the description (`{minLength: 1, maximum: 5}` from the
 * Anthropic SDK, `min length: 1; maximum: 5.` from the Vercel AI SDK); those are read back so
 * the instance also passes the client's own (zod) validation.
 */

const MAX_DEPTH = 12;

const FORMAT_EXAMPLES: Readonly<Record<string, string>> = {
  'date-time': '2025-01-01T00:00:00Z',
  date: '2025-01-01',
  time: '00:00:00',
  duration: 'P1D',
  email: 'user@example.com',
  hostname: 'example.com',
  uri: 'https://example.com/',
  ipv4: '127.0.0.1',
  ipv6: '::1',
  uuid: '00000000-0000-4000-8000-000000000000',
};

/** The Vercel AI SDK's form: a last line `min items: 2; maximum: 7.` (camelCase keys spelled out). */
function spelledOutConstraints(description: string): JsonObject {
  const line = description.split('\n').pop()!.trim();
  if (!line.endsWith('.')) return {};
  const out: JsonObject = {};
  for (const part of line.slice(0, -1).split('; ')) {
    const m = /^([a-z]+(?: [a-z]+)*): (.+)$/.exec(part);
    if (!m) return {};
    const key = m[1]!.replace(/ ([a-z])/g, (_, c: string) => c.toUpperCase());
    let value: JsonValue = m[2]!;
    try {
      value = JSON.parse(m[2]!) as JsonValue;
    } catch {
      // A bare string (a pattern, a format) stays a string.
    }
    out[key] = value;
  }
  return out;
}

/**
 * Constraints a client folded into the description: the Anthropic SDK's `… {minLength: 1,
 * maxLength: 200}`, or the Vercel AI SDK's last line `min length: 1; max length: 200.`.
 */
export function descriptionConstraints(schema: JsonObject): JsonObject {
  const description = schema['description'];
  if (typeof description !== 'string') return {};
  const match = /\{([^{}]*)\}\s*$/.exec(description);
  if (!match) return spelledOutConstraints(description);
  const out: JsonObject = {};
  const entry = /(\w+): ("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/g;
  for (let m = entry.exec(match[1]!); m; m = entry.exec(match[1]!)) {
    try {
      out[m[1]!] = JSON.parse(m[2]!) as JsonValue;
    } catch {
      // A value the pattern misread is simply not a constraint we honour.
    }
  }
  return out;
}

function resolveRef(ref: string, root: JsonObject): JsonObject {
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (ref === '#') return root;
  const defs = match ? root[match[1]!] : undefined;
  const target = match && isJsonObject(defs) ? defs[decodeURIComponent(match[2]!).replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return isJsonObject(target) ? target : {};
}

function num(value: JsonValue | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function numberInstance(schema: JsonObject, integer: boolean): number {
  const min = num(schema['minimum']);
  const max = num(schema['maximum']);
  const exMin = num(schema['exclusiveMinimum']);
  const exMax = num(schema['exclusiveMaximum']);
  const step = num(schema['multipleOf']);
  let value = 1;
  if (min !== undefined && value < min) value = min;
  if (exMin !== undefined && value <= exMin) value = integer ? Math.floor(exMin) + 1 : exMin + 0.5;
  if (max !== undefined && value > max) value = max;
  if (exMax !== undefined && value >= exMax) value = integer ? Math.ceil(exMax) - 1 : exMax - 0.5;
  if (step !== undefined && step > 0) value = Math.ceil(value / step) * step;
  return integer ? Math.round(value) : value;
}

function stringInstance(schema: JsonObject, hint: string): string {
  const format = schema['format'];
  let text = typeof format === 'string' && FORMAT_EXAMPLES[format] ? FORMAT_EXAMPLES[format] : hint || 'example';
  const min = num(schema['minLength']) ?? 0;
  const max = num(schema['maxLength']);
  while (text.length < min) text += ` ${hint || 'example'}`;
  if (max !== undefined && text.length > max) text = text.slice(0, max);
  return text.length < min ? text.padEnd(min, 'x') : text;
}

/** The effective schema: description constraints merged under the schema's own keywords. */
function effective(schema: JsonObject): JsonObject {
  return { ...descriptionConstraints(schema), ...schema };
}

export function instanceOf(schemaIn: JsonValue | undefined, root: JsonObject, hint = 'example', depth = 0): JsonValue {
  if (schemaIn === true || schemaIn === undefined) return hint;
  if (!isJsonObject(schemaIn)) return null;
  const schema = effective(schemaIn);
  if (typeof schema['$ref'] === 'string') {
    return depth > MAX_DEPTH ? null : instanceOf(resolveRef(schema['$ref'], root), root, hint, depth + 1);
  }
  if (schema['const'] !== undefined) return schema['const'];
  const enumValues = schema['enum'];
  if (Array.isArray(enumValues) && enumValues.length > 0) return enumValues[0]!;
  const branches = schema['anyOf'] ?? schema['oneOf'];
  if (Array.isArray(branches) && branches.length > 0) return instanceOf(branches[0], root, hint, depth + 1);
  const allOf = schema['allOf'];
  if (Array.isArray(allOf) && allOf.length > 0) {
    const parts = allOf.map((s) => instanceOf(s, root, hint, depth + 1));
    return parts.every(isJsonObject) ? (Object.assign({}, ...parts) as JsonObject) : parts[0]!;
  }
  const declared = schema['type'];
  const types = Array.isArray(declared) ? declared : [declared];
  const type = types.find((t) => t !== 'null') ?? types[0] ?? (isJsonObject(schema['properties']) ? 'object' : 'string');
  switch (type) {
    case 'object': {
      const properties = isJsonObject(schema['properties']) ? schema['properties'] : {};
      const required = Array.isArray(schema['required']) ? schema['required'] : [];
      const out: JsonObject = {};
      for (const key of required) {
        if (typeof key === 'string') out[key] = depth > MAX_DEPTH ? null : instanceOf(properties[key], root, key, depth + 1);
      }
      return out;
    }
    case 'array': {
      const min = num(schema['minItems']) ?? 1;
      const max = num(schema['maxItems']);
      const count = Math.max(min, max === undefined ? 1 : Math.min(1, max));
      if (depth > MAX_DEPTH || count === 0) return [];
      return Array.from({ length: count }, () => instanceOf(schema['items'], root, hint, depth + 1));
    }
    case 'string':
      return stringInstance(schema, hint);
    case 'integer':
      return numberInstance(schema, true);
    case 'number':
      return numberInstance(schema, false);
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return hint;
  }
}

export function genericInstance(schema: JsonObject): JsonValue {
  return instanceOf(schema, schema);
}
