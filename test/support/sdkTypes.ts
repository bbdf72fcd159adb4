import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

/**
 * Reads the installed @anthropic-ai/sdk's own type declarations, so tests compare the simulator
 * with what the SDK can send rather than with a list someone typed: the body fields of the
 * request types (the SDK's doc comments say `Body param:` or `Header param:`) and the `Model` ids.
 */

const require = createRequire(__filename);
// The package's `exports` hide package.json; its main entry sits at the package root.
const SDK_ROOT = path.dirname(require.resolve('@anthropic-ai/sdk'));

export const SDK_VERSION = (JSON.parse(readFileSync(path.join(SDK_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const STABLE = 'resources/messages/messages.d.ts';
const BETA = 'resources/beta/messages/messages.d.ts';

function sourceOf(relative: string): ts.SourceFile {
  const file = path.join(SDK_ROOT, relative);
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

function topLevelInterface(source: ts.SourceFile, name: string): ts.InterfaceDeclaration {
  const found = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
  if (!found) throw new Error(`interface ${name} not found in ${source.fileName}`);
  return found;
}

export interface SdkField {
  readonly name: string;
  readonly where: 'body' | 'header';
}

function fieldsOf(relative: string, interfaceName: string): SdkField[] {
  const source = sourceOf(relative);
  return topLevelInterface(source, interfaceName).members.flatMap((member): SdkField[] => {
    if (!ts.isPropertySignature(member) || !member.name || !ts.isIdentifier(member.name)) return [];
    const doc = ts.getJSDocCommentsAndTags(member).map((d) => d.getText(source)).join('\n');
    if (/Header param:/.test(doc)) return [{ name: member.name.text, where: 'header' }];
    if (/Body param:/.test(doc)) return [{ name: member.name.text, where: 'body' }];
    throw new Error(`${interfaceName}.${member.name.text} in ${relative} is neither a body nor a header param`);
  });
}

function union(...lists: SdkField[][]): SdkField[] {
  const seen = new Map<string, SdkField>();
  for (const f of lists.flat()) seen.set(f.name, f);
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export type SdkSurface = 'stable' | 'beta' | 'all';

function fieldsOfSurface(interfaceName: string, surface: SdkSurface): SdkField[] {
  const stable = surface === 'beta' ? [] : fieldsOf(STABLE, interfaceName);
  const beta = surface === 'stable' ? [] : fieldsOf(BETA, interfaceName);
  return union(stable, beta);
}

/** Fields of `client.messages.create` (stable), `client.beta.messages.create` (beta), or both. */
export function sdkMessagesFields(surface: SdkSurface = 'all'): SdkField[] {
  return fieldsOfSurface('MessageCreateParamsBase', surface);
}

/** Fields of `client.messages.countTokens`, `client.beta.messages.countTokens`, or both. */
export function sdkCountTokensFields(surface: SdkSurface = 'all'): SdkField[] {
  return fieldsOfSurface('MessageCountTokensParams', surface);
}

/** The string literals of the SDK's `Model` union (without its `string & {}` escape hatch). */
export function sdkModelIds(): string[] {
  const source = sourceOf(STABLE);
  const alias = source.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === 'Model');
  if (!alias || !ts.isUnionTypeNode(alias.type)) throw new Error('type Model not found or not a union');
  return alias.type.types.flatMap((t) => (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) ? [t.literal.text] : []));
}
