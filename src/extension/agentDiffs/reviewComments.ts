import * as vscode from 'vscode';
import type { FindingSeverity, ReviewFinding } from '../../shared/review';

export const REVIEW_CONTROLLER_ID = 'helios.review';

/** Where a finding is shown: on the proposed document, or on the real file once its lines were applied. */
export interface FindingPlacement {
  readonly planId: string;
  readonly taskId: string;
  readonly finding: ReviewFinding;
  readonly reviewer: string;
  readonly uri: vscode.Uri;
  /** 1-based, inclusive, in that document. */
  readonly startLine: number;
  readonly endLine: number;
}

export interface FindingRef {
  readonly planId: string;
  readonly taskId: string;
  readonly findingId: string;
}

const t = vscode.l10n.t;

export function severityLabel(severity: FindingSeverity): string {
  switch (severity) {
    case 'blocker': return t('Blocker');
    case 'major': return t('Major');
    case 'minor': return t('Minor');
    case 'nit': return t('Nit');
  }
}

/** `contextValue` flags the `comments/commentThread/title` menus match on. */
export function threadContext(finding: ReviewFinding): string {
  return ['finding', finding.replacement !== undefined && finding.status === 'open' ? 'suggestion' : '', finding.status].filter(Boolean).join(' ');
}

function body(finding: ReviewFinding, languageId: string | undefined): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendText(finding.message);
  if (finding.replacement !== undefined) {
    md.appendMarkdown(`\n\n**${t('Suggested fix')}**\n`);
    md.appendCodeblock(finding.replacement, languageId);
  }
  if (finding.status === 'applied') md.appendMarkdown(`\n\n_${t('Suggestion applied.')}_`);
  return md;
}

/**
 * One comment controller for the Reviewer's findings. Placements are mapped to `CommentThread`s in
 * one factory; a sync after each change of the stored review adds, updates and removes threads so
 * the editor always shows the stored state (which survives reloads).
 */
export class ReviewComments implements vscode.Disposable {
  private readonly controller = vscode.comments.createCommentController(REVIEW_CONTROLLER_ID, t('Helios Review'));
  private readonly threads = new Map<string, vscode.CommentThread>();
  private readonly refs = new WeakMap<vscode.CommentThread, FindingRef>();

  constructor() {
    this.controller.options = { placeHolder: t('Reply to the Reviewer (kept with the finding)…'), prompt: t('Reply') };
  }

  /** The finding behind a thread (for the thread's menu commands). */
  refOf(thread: vscode.CommentThread): FindingRef | undefined {
    return this.refs.get(thread);
  }

  sync(placements: readonly FindingPlacement[]): void {
    const wanted = new Set<string>();
    for (const p of placements) {
      const key = `${p.uri.toString()}#${p.planId}/${p.taskId}/${p.finding.id}`;
      wanted.add(key);
      const existing = this.threads.get(key);
      const thread = existing ?? this.controller.createCommentThread(p.uri, this.range(p), []);
      if (!existing) {
        this.threads.set(key, thread);
        this.refs.set(thread, { planId: p.planId, taskId: p.taskId, findingId: p.finding.id });
      }
      this.fill(thread, p);
    }
    for (const [key, thread] of this.threads) {
      if (wanted.has(key)) continue;
      thread.dispose();
      this.threads.delete(key);
    }
  }

  private range(p: FindingPlacement): vscode.Range {
    return new vscode.Range(p.startLine - 1, 0, p.endLine - 1, 0);
  }

  private fill(thread: vscode.CommentThread, p: FindingPlacement): void {
    const { finding } = p;
    const languageId = vscode.workspace.textDocuments.find((d) => d.uri.toString() === p.uri.toString())?.languageId;
    thread.range = this.range(p);
    thread.label = `${severityLabel(finding.severity)} · ${p.taskId}`;
    thread.contextValue = threadContext(finding);
    thread.canReply = finding.status === 'open';
    thread.state = finding.status === 'open' ? vscode.CommentThreadState.Unresolved : vscode.CommentThreadState.Resolved;
    thread.collapsibleState = finding.status === 'open' ? vscode.CommentThreadCollapsibleState.Expanded : vscode.CommentThreadCollapsibleState.Collapsed;
    const first: vscode.Comment = {
      body: body(finding, languageId),
      mode: vscode.CommentMode.Preview,
      author: { name: t('Helios Reviewer ({0})', p.reviewer) },
      label: severityLabel(finding.severity),
      contextValue: threadContext(finding),
    };
    thread.comments = [first, ...finding.replies.map((r): vscode.Comment => ({
      body: r.body,
      mode: vscode.CommentMode.Preview,
      author: { name: r.author === 'user' ? t('You') : t('Helios Reviewer ({0})', p.reviewer) },
      timestamp: new Date(r.at),
    }))];
  }

  dispose(): void {
    for (const thread of this.threads.values()) thread.dispose();
    this.threads.clear();
    this.controller.dispose();
  }
}
