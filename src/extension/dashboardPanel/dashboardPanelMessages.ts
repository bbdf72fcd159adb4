/**
 * The host boundary of the dashboard panel: everything the webview posts is validated here
 * before the host acts on it. Pure (no `vscode`), so plain node tests it.
 */
import { z } from 'zod';
import type { DashboardPanelToHost } from '../../shared/protocol/dashboardPanel';
import { parseWebviewMessage, type ParsedWebviewMessage } from '../webviewHost/webviewMessages';

export const DashboardPanelToHostSchema = z.strictObject({ type: z.literal('ready') });

export function parseDashboardPanelMessage(raw: unknown): ParsedWebviewMessage<DashboardPanelToHost> {
  return parseWebviewMessage(DashboardPanelToHostSchema, raw);
}
