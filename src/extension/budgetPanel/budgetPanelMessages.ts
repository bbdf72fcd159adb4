/**
 * The host boundary of the budget panel: everything the webview posts is validated here before
 * the host acts on it. Pure (no `vscode`), so plain node tests it.
 */
import { z } from 'zod';
import { BUDGET_PANEL_COMMANDS, type BudgetPanelToHost } from '../../shared/protocol/budgetPanel';
import { parseWebviewMessage, type ParsedWebviewMessage } from '../webviewHost/webviewMessages';

export const BudgetPanelToHostSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('command'), command: z.enum(BUDGET_PANEL_COMMANDS) }),
]);

export function parseBudgetPanelMessage(raw: unknown): ParsedWebviewMessage<BudgetPanelToHost> {
  return parseWebviewMessage(BudgetPanelToHostSchema, raw);
}
