import * as vscode from 'vscode';
import { decomposePrd, type ArchitectPhase } from '../../core/agents/architect';
import { buildRepoMap } from '../../core/analysis/repoMap';
import { loadAnalysis } from '../analysis/loadAnalysis';
import { readPrd } from '../../core/agents/prdInput';
import { HeliosError } from '../../core/errors/heliosError';
import { createPlan } from '../../core/plan/plan';
import { GovernedLlmClient } from '../../core/governor/governedLlmClient';
import type { Plan } from '../../shared/taskGraph';
import { totalTokens } from '../../shared/usage';
import type { HeliosContext } from '../heliosContext';
import { pickPrd } from './pickPrd';
import { localeInteger } from '../../shared/numberFormat';

/**
 * Helios: Decompose PRD. Reads the PRD (unsaved edits included), asks the Architect for a task
 * graph with progress and cancellation, stores the validated plan, and returns it for display.
 * Nothing is stored when anything fails or is cancelled.
 */
export async function runDecompose(ctx: HeliosContext, arg: unknown): Promise<Plan | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || !ctx.plans) throw new HeliosError('no_workspace', 'No folder is open');
  const uri = await pickPrd(arg);
  if (!uri) return undefined;

  const relPath = vscode.workspace.asRelativePath(uri, false);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  const bytes = open?.isDirty ? new TextEncoder().encode(open.getText()) : await vscode.workspace.fs.readFile(uri);
  const prd = readPrd(relPath, bytes);
  const settings = ctx.settings();
  const inner = await ctx.providers.client();
  const governed = new GovernedLlmClient(inner, ctx.governor, {
    workspace: folder.uri.toString(),
    now: () => new Date(),
    onRecorded: (record) => ctx.onRecorded(record),
  });
  // The same PRD decomposed again with the same settings is answered from the cache, for free.
  const client = (await ctx.cache?.wrap(governed)) ?? governed;
  ctx.log.info(`Decomposing ${relPath} (${prd.bytes} bytes) with ${settings.architectModel} via ${client.provider}`);

  const plan = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Helios: decomposing {0}', relPath),
      cancellable: true,
    },
    async (progress, token) => {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      let phase: ArchitectPhase = 'measuring';
      const phaseText = (p: ArchitectPhase): string =>
        p === 'measuring' ? vscode.l10n.t('Measuring the PRD…')
          : p === 'planning' ? vscode.l10n.t('The Architect ({0}) is planning…', settings.architectModel)
            : vscode.l10n.t('Repairing the plan…');
      progress.report({ message: phaseText(phase) });
      try {
        const repoMap = await existingCodeMap(ctx, folder.uri, prd.text);
        const result = await decomposePrd(prd, {
          client,
          ...(repoMap ? { repoMap } : {}),
          model: settings.architectModel,
          maxOutputTokens: settings.architectMaxOutputTokens,
          signal: abort.signal,
          onPhase: (p) => {
            phase = p;
            progress.report({ message: phaseText(p) });
          },
          onProgress: (chars) => progress.report({ message: `${phaseText(phase)} ${vscode.l10n.t('{0} characters received', localeInteger(chars, vscode.env.language))}` }),
        });
        if (token.isCancellationRequested) throw new HeliosError('cancelled', 'Cancelled');
        if (result.repairs > 0) ctx.log.warn(`The Architect's first plan broke the graph rules; one repair round trip fixed it`);
        return createPlan({ prd, result, provider: client.provider, now: new Date() });
      } finally {
        cancel.dispose();
      }
    },
  );
  await ctx.plans.save(plan);
  ctx.log.info(`Plan ${plan.id}: ${plan.graph.tasks.length} tasks by ${plan.plannedBy}, ${totalTokens(plan.usage)} tokens, $${plan.costUsd.toFixed(4)}`);
  return plan;
}

/**
 * A ranked map of the code already in the workspace, for the Architect (2,000 tokens at most).
 * Only when there is code: analysis loads ts-morph, which an empty or prose-only folder never needs.
 */
async function existingCodeMap(ctx: HeliosContext, root: vscode.Uri, prdText: string): Promise<string | undefined> {
  const code = await vscode.workspace.findFiles('**/*.{ts,tsx,js,jsx,mts,cts,mjs,cjs}', '**/node_modules/**', 1);
  if (code.length === 0 || !ctx.extension.storageUri) return undefined;
  try {
    const { openWorkspaceGraph } = await loadAnalysis();
    const { workspace } = await openWorkspaceGraph({ root: root.fsPath, cacheDir: vscode.Uri.joinPath(ctx.extension.storageUri, 'analysis').fsPath });
    void workspace.save().catch((error: unknown) => ctx.log.warn(`Dependency graph: could not save the cache: ${String(error)}`));
    const map = await buildRepoMap(workspace, { budgetTokens: 2_000, focusText: prdText.slice(0, 4_000) });
    ctx.log.info(`Repo map for the Architect: ${map.files.length} files, ${map.tokens} tokens (${map.omitted} more ranked files did not fit)`);
    return map.files.length > 0 ? map.text : undefined;
  } catch (error) {
    ctx.log.warn(`No repo map for the Architect (${String(error)}); planning from the PRD alone`);
    return undefined;
  }
}
