import * as vscode from 'vscode';
import type { AccountBoard } from '../core/governor/accountBoard';
import type { Governor } from '../core/governor/governor';
import { accountDir, memberName } from '../infra/governor/accountDir';
import { FileAccountBoard } from '../infra/governor/fileAccountBoard';
import { SECRET_KEYS, TEAM_COMMANDS } from './constants';

/**
 * Which account board this window admits through: the OS user's account directory (local mode),
 * or the team's Redis when the user gave Helios its URL (team mode; kept in SecretStorage, since
 * the URL may carry a password). Team mode fails closed: when the Redis cannot be reached the
 * governor admits nothing, and the user is told so once, with "Continue with a Local Cap" (this
 * window meters the account directory instead, until the next start) and Retry.
 */
export class AccountHost implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private governor: Governor | undefined;
  private mode: 'local' | 'team' = 'local';
  /** The team's URL while this window is in team mode (the L2 cache shares through it too). */
  private url: string | undefined;
  private readonly teamChanged = new vscode.EventEmitter<string | undefined>();
  /** The team URL this window now shares through, or undefined when it went local. */
  readonly onDidChangeTeam = this.teamChanged.event;
  /** The unreachable board's message already shown, so it is said once per outage. */
  private announced: string | undefined;
  /** The user chose a local cap during an outage: this window stays local until it restarts. */
  private chosenLocal = false;

  private constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
    readonly local: FileAccountBoard,
  ) {}

  /** The board to start with: the team's when a URL is stored, else the account directory's. */
  static async open(secrets: vscode.SecretStorage, log: vscode.LogOutputChannel): Promise<{ host: AccountHost; board: AccountBoard }> {
    const local = new FileAccountBoard({
      dir: accountDir(), label: windowLabel(), originKind: 'vscode',
      onCorrupt: (file, error, aside) => log.warn(`Unreadable account board ${file} (${error})${aside ? `, kept as ${aside}` : ''}; calls in flight publish their reservations again`),
    });
    const host = new AccountHost(secrets, log, local);
    const url = await secrets.get(SECRET_KEYS.teamRedisUrl);
    if (!url) return { host, board: local };
    host.setMode('team', url);
    return { host, board: await host.teamBoard(url) };
  }

  /** Starts watching the governor for an unreachable team board, and registers the team commands. */
  attach(governor: Governor): void {
    this.governor = governor;
    this.disposables.push(
      { dispose: governor.onDidChange(() => this.checkReachable()) },
      vscode.commands.registerCommand(TEAM_COMMANDS.useTeamRedis, () => this.useTeamRedis()),
      vscode.commands.registerCommand(TEAM_COMMANDS.stopTeamRedis, () => this.stopTeamRedis()),
      // Another window joined or left the team: this one follows.
      this.secrets.onDidChange((e) => {
        if (e.key === SECRET_KEYS.teamRedisUrl) void this.follow().catch((error: unknown) => this.log.warn(`Could not follow the team setting: ${String(error)}`));
      }),
    );
    this.checkReachable();
  }

  get isTeam(): boolean {
    return this.mode === 'team';
  }

  /** The team's Redis URL while in team mode (it may carry a password: never log or show it). */
  get teamUrl(): string | undefined {
    return this.url;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.teamChanged.dispose();
  }

  private setMode(mode: 'local' | 'team', url?: string): void {
    const next = mode === 'team' ? url : undefined;
    this.mode = mode;
    if (next === this.url) return;
    this.url = next;
    this.teamChanged.fire(next);
  }

  /**
   * The team's board; when the Redis cannot be reached now, a board that keeps trying and refuses
   * every operation until it can (so the governor starts paused, never uncapped).
   */
  private async teamBoard(url: string): Promise<AccountBoard> {
    const { RedisAccountBoard } = await import('../infra/governor/redisAccountBoard');
    const { redactRedisUrl } = await import('../infra/redis/redisConnection');
    const open = () => RedisAccountBoard.open({
      url, label: windowLabel(), originKind: 'vscode', member: memberName(),
      onError: (message: string) => this.log.warn(`Team Redis: ${message}`),
    });
    try {
      return await open();
    } catch (error) {
      this.log.warn(`Team Redis ${redactRedisUrl(url)} unreachable at start: ${error instanceof Error ? error.message : String(error)}`);
      return new ReconnectingBoard(open, redactRedisUrl(url), error);
    }
  }

  private checkReachable(): void {
    const unavailable = this.governor?.unavailable;
    if (unavailable === undefined) {
      if (this.announced !== undefined) this.log.info(`Account board reachable again: ${this.governor?.boardWhere ?? ''}`);
      this.announced = undefined;
      return;
    }
    if (this.announced !== undefined) return;
    this.announced = unavailable;
    const where = this.governor?.boardWhere ?? '';
    this.log.error(`Account board unavailable (${where}): ${unavailable}. Nothing is admitted until it is reachable.`);
    const local = vscode.l10n.t('Continue with a Local Cap');
    const retry = vscode.l10n.t('Retry');
    const setUrl = vscode.l10n.t('Use a Team Redis…');
    // A refused password does not come back by retrying: the user sets the URL again.
    const refused = this.mode === 'team' && this.governor?.unavailableCode === 'auth';
    const message = refused
      ? vscode.l10n.t('Helios paused: the team\'s Redis at {0} refused the user name or password. Nothing is admitted until the URL is set again: the team cap holds.', where)
      : this.mode === 'team'
        ? vscode.l10n.t('Helios paused: the team\'s Redis at {0} cannot be reached ({1}). Nothing is admitted until it can be: the team cap holds.', where, unavailable)
        : vscode.l10n.t('Helios paused: the account directory {0} cannot be used ({1}). Nothing is admitted until it can be.', where, unavailable);
    const buttons = refused ? [setUrl, local] : this.mode === 'team' ? [local, retry] : [retry];
    void vscode.window.showWarningMessage(message, ...buttons).then(async (picked) => {
      if (picked === setUrl) {
        this.announced = undefined;
        await this.useTeamRedis();
      }
      if (picked === local) await this.continueLocally();
      if (picked === retry) {
        this.announced = undefined;
        await this.governor?.refresh().catch(() => undefined);
        this.checkReachable();
      }
    });
  }

  private async follow(): Promise<void> {
    if (!this.governor) return;
    const url = await this.secrets.get(SECRET_KEYS.teamRedisUrl);
    if (url && this.mode === 'local' && !this.chosenLocal) {
      this.setMode('team', url);
      await this.governor.switchBoard(await this.teamBoard(url));
      this.log.info(`Team mode (set in another window): admitting against ${this.governor.boardWhere ?? ''}`);
    } else if (!url && this.mode === 'team') {
      this.setMode('local');
      await this.governor.switchBoard(this.local);
      this.log.info('Team mode turned off in another window: admitting against the account directory');
    }
  }

  /** This window meters the account directory until it restarts; the team URL stays stored. */
  private async continueLocally(): Promise<void> {
    if (!this.governor) return;
    this.setMode('local');
    this.chosenLocal = true;
    await this.governor.switchBoard(this.local);
    this.log.warn('Continuing with a local cap: this window admits against the account directory, not the team\'s Redis, until it restarts');
    void vscode.window.showInformationMessage(vscode.l10n.t('Helios now caps this window against your own account directory. The team\'s cap does not see its calls until the window restarts.'));
  }

  private async useTeamRedis(): Promise<void> {
    const url = await vscode.window.showInputBox({
      title: vscode.l10n.t('Helios: Use a Team Redis'),
      prompt: vscode.l10n.t('The team\'s Redis URL (redis:// or rediss://). It is kept in VS Code\'s secret storage, never in settings.'),
      placeHolder: 'rediss://user:password@redis.example.com:6380',
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => validRedisUrl(value) ? undefined : vscode.l10n.t('Enter a redis:// or rediss:// URL'),
    });
    if (!url || !this.governor) return;
    let board: AccountBoard;
    try {
      board = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Connecting to the team\'s Redis…') }, async () => {
        const b = await this.teamBoard(url);
        // Reachable now, or the user hears why before anything is stored.
        await b.readAll();
        return b;
      });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      this.log.error(`Could not use the team Redis: ${why}`);
      const refused = (error as { reason?: unknown }).reason === 'auth';
      void vscode.window.showErrorMessage(refused
        ? vscode.l10n.t('That Redis refused the user name or password in the URL. Nothing was changed.')
        : vscode.l10n.t('Helios could not reach that Redis: {0}. Nothing was changed.', why));
      return;
    }
    this.setMode('team', url);
    this.chosenLocal = false;
    await this.secrets.store(SECRET_KEYS.teamRedisUrl, url);
    this.announced = undefined;
    await this.governor.switchBoard(board);
    this.log.info(`Team mode: admitting against ${board.where}`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Helios now shares one cap, ledger and exact-match cache with your team through {0}. Your other windows follow.', board.where));
  }

  private async stopTeamRedis(): Promise<void> {
    const wasTeam = this.mode === 'team';
    this.setMode('local');
    await this.secrets.delete(SECRET_KEYS.teamRedisUrl);
    if (wasTeam && this.governor) await this.governor.switchBoard(this.local);
    this.log.info('Team mode off: admitting against the account directory');
    void vscode.window.showInformationMessage(vscode.l10n.t('Helios no longer uses the team\'s Redis: this window caps against your own account directory.'));
  }
}

/** Stands in for a board that could not be opened yet: every operation tries again (at most once a second). */
class ReconnectingBoard implements AccountBoard {
  private board: AccountBoard | undefined;
  private lastTry = Date.now();


  constructor(private readonly open: () => Promise<AccountBoard>, readonly where: string, private lastError: unknown) {}

  get owner(): string {
    return this.board?.owner ?? 'unconnected';
  }

  get lease(): number {
    return this.board?.lease ?? 30_000;
  }

  get label(): string | undefined {
    return this.board?.label;
  }

  get member(): string | undefined {
    return this.board?.member;
  }

  readAll: AccountBoard['readAll'] = async () => (await this.ready()).readAll();
  transact: AccountBoard['transact'] = async (decide) => (await this.ready()).transact(decide);
  settle: AccountBoard['settle'] = async (id, record) => (await this.ready()).settle(id, record);
  release: AccountBoard['release'] = async (id) => (await this.ready()).release(id);
  renew: AccountBoard['renew'] = async (until) => (await this.ready()).renew(until);
  reportRate: AccountBoard['reportRate'] = async (rate) => (await this.ready()).reportRate(rate);
  exclusive: AccountBoard['exclusive'] = async (body) => (await this.ready()).exclusive(body);

  async close(): Promise<void> {
    await this.board?.close?.();
  }

  private async ready(): Promise<AccountBoard> {
    if (this.board) return this.board;
    if (Date.now() - this.lastTry < 1_000) throw this.lastError;
    this.lastTry = Date.now();
    try {
      this.board = await this.open();
      return this.board;
    } catch (error) {
      this.lastError = error;
      throw error;
    }
  }
}

function validRedisUrl(value: string): boolean {
  try {
    const url = new URL(value.trim());
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function windowLabel(): string {
  return `VS Code: ${vscode.workspace.name ?? 'no folder'}`;
}
