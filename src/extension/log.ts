import * as vscode from 'vscode';
import { LOG_CHANNEL_NAME } from './constants';

/** The Helios log channel. Never log keys, prompts or PRD text: ids, counts and reasons only. */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
}
