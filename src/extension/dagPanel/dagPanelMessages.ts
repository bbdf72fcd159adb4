/**
 * The host boundary of the DAG panel: everything the webview posts is validated here before the
 * host acts on it. Pure (no `vscode`), so plain node tests it.
 */
import path from 'node:path';
import { z } from 'zod';
import type { DagPanelToHost } from '../../shared/protocol/dagPanel';
import { parseWebviewMessage, type ParsedWebviewMessage } from '../webviewHost/webviewMessages';

const MAX_PATH_LENGTH = 1024;

/**
 * The segments of a safe workspace-relative path, or undefined. Refused: absolute POSIX or
 * Windows paths, UNC paths, drive letters and any other colon (URI schemes, NTFS streams),
 * `..` segments, control characters. `.` and empty segments are dropped.
 */
export function workspaceRelativeSegments(p: string): string[] | undefined {
  if (p.length === 0 || p.length > MAX_PATH_LENGTH) return undefined;
  if ([...p].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return undefined;
  if (p.startsWith('/') || p.startsWith('\\') || p.includes(':') || p.startsWith('~')) return undefined;
  const segments = p.split(/[\\/]/).filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.some((s) => s === '..')) return undefined;
  return segments;
}

/**
 * Joins a safe relative path to the workspace folder's path (POSIX, as in a `Uri.path`) and
 * returns it only when the result is inside the folder: the last line of defence before opening.
 */
export function resolveInWorkspace(folderPath: string, relative: string): string | undefined {
  const segments = workspaceRelativeSegments(relative);
  if (!segments) return undefined;
  const root = path.posix.resolve('/', folderPath);
  const target = path.posix.resolve(root, ...segments);
  const rel = path.posix.relative(root, target);
  return rel !== '' && !rel.startsWith('..') && !path.posix.isAbsolute(rel) ? target : undefined;
}

const WorkspaceRelativePath = z
  .string()
  .refine((p) => workspaceRelativeSegments(p) !== undefined, { message: 'not a workspace-relative path' });

export const DagPanelToHostSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('openFile'), path: WorkspaceRelativePath }),
]);

export type ParsedDagPanelMessage = ParsedWebviewMessage<DagPanelToHost>;

export function parseDagPanelMessage(raw: unknown): ParsedDagPanelMessage {
  return parseWebviewMessage(DagPanelToHostSchema, raw);
}
