import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parseSettings } from '../../src/core/config/settings';
import { anthropicClientEndpoint, anthropicEndpoint } from '../../src/core/security/endpoint';
import { collectSettings, type InspectedValue, type SettingField } from '../../src/core/security/settingPolicy';
import { AnthropicLlmClient } from '../../src/infra/anthropic/anthropicClient';
import { presentBudget } from '../../src/extension/statusBar/budgetPresentation';
import { DEFAULT_BUDGET } from '../../src/core/governor/budgetPlans';
import { buildBudgetSnapshot } from '../../src/core/governor/budgetSnapshot';
import { Governor } from '../../src/core/governor/governor';
import { MemoryLedger } from '../support/memoryLedger';

/**
 * #19: the API key never goes to a host that only a workspace setting named. Two servers on
 * 127.0.0.1 record every request's headers (the key travels in `x-api-key` or `authorization`): one named by the workspace's `.vscode/settings.json`
 * (as `inspect()` reports it), one by the user's own settings. The settings are read the way the
 * extension reads them (collectSettings → parseSettings) and the client is built the way
 * ProviderHost builds it (anthropicClientEndpoint); the workspace's server must see nothing.
 */
interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

async function recorder(): Promise<{ server: Server; url: string; seen: Recorded[] }> {
  const seen: Recorded[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    // A well-formed API error: the SDK stops (no retries configured) and the test reads what arrived.
    res.writeHead(401, { 'content-type': 'application/json', 'request-id': 'req_recorder' });
    res.end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'recorded' }, request_id: 'req_recorder' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const KEY = 'sk-ant-api03-ENDPOINT-TEST-KEY-0123456789';

function carriesKey(r: Recorded): boolean {
  return Object.values(r.headers).some((v) => (Array.isArray(v) ? v.join(' ') : String(v ?? '')).includes(KEY));
}

function settingsFor(inspect: Partial<Record<SettingField, InspectedValue>>) {
  return parseSettings(collectSettings(() => undefined, (f) => inspect[f] ?? { defaultValue: f === 'anthropicBaseUrl' ? '' : undefined }).raw);
}

async function callOnce(settings: ReturnType<typeof settingsFor>): Promise<void> {
  const client = new AnthropicLlmClient({ apiKey: KEY, ...anthropicClientEndpoint(settings), provider: 'anthropic', maxRetries: 0, timeoutMs: 10_000 });
  await client.complete({ model: 'claude-sonnet-5-5', maxTokens: 16, system: [{ text: 'system' }], messages: [{ role: 'user', content: [{ text: 'hello' }] }] }).catch(() => undefined);
}

describe('the API key and the endpoint go together only by the user\'s choice', () => {
  let workspaceNamed: Awaited<ReturnType<typeof recorder>>;
  let userNamed: Awaited<ReturnType<typeof recorder>>;
  before(async () => {
    workspaceNamed = await recorder();
    userNamed = await recorder();
  });
  after(async () => {
    await new Promise((r) => workspaceNamed.server.close(r));
    await new Promise((r) => userNamed.server.close(r));
  });

  it('sends nothing — and no key — to a host only the workspace named; the user\'s endpoint gets the call', async () => {
    const settings = settingsFor({
      anthropicBaseUrl: { defaultValue: '', globalValue: userNamed.url, workspaceValue: workspaceNamed.url, workspaceFolderValue: `${workspaceNamed.url}/folder` },
    });
    assert.equal(settings.anthropicBaseUrl, userNamed.url);
    await callOnce(settings);
    assert.deepEqual(workspaceNamed.seen, [], 'the workspace\'s server saw no request at all');
    assert.ok(userNamed.seen.length >= 1, 'the call went to the user\'s endpoint');
    // The SDK sends the key as `x-api-key` or `authorization: Bearer …` depending on its version: look in every header.
    assert.ok(carriesKey(userNamed.seen[0]!), 'with the key, as the user chose');
    assert.ok(!workspaceNamed.seen.some(carriesKey));
  });

  it('with no user base URL, a workspace base URL leaves the client on the official endpoint', () => {
    const settings = settingsFor({ anthropicBaseUrl: { defaultValue: '', workspaceValue: workspaceNamed.url } });
    assert.equal(settings.anthropicBaseUrl, '');
    assert.deepEqual(anthropicClientEndpoint(settings), {}, 'no baseURL: the SDK uses https://api.anthropic.com');
    assert.equal(anthropicEndpoint(settings.anthropicBaseUrl).official, true);
    assert.deepEqual(workspaceNamed.seen, []);
  });

  it('names a non-official endpoint in the status bar tooltip, and only then', async () => {
    const endpoint = anthropicEndpoint(`${userNamed.url}/v1-proxy`);
    assert.equal(endpoint.official, false);
    assert.equal(anthropicEndpoint('https://api.anthropic.com').official, true);
    assert.equal(anthropicEndpoint('https://user:secret@proxy.example/x').display, 'https://proxy.example/x', 'credentials in the URL are never shown');
    const governor = await Governor.create({ ledger: new MemoryLedger(), config: { ...DEFAULT_BUDGET, plan: 'api' } });
    const snapshot = buildBudgetSnapshot(governor.view(), 'anthropic');
    governor.dispose();
    const t = (m: string, ...args: Array<string | number>) => m.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));
    const commands = { showBudget: 'a', pause: 'b', resume: 'c', settings: 'd', setApiKey: 'e' };
    const custom = presentBudget({ snapshot, provider: 'anthropic', t, commands, time: (iso) => iso, customEndpoint: endpoint.display });
    assert.match(custom.tooltip, new RegExp(`Endpoint: \`${endpoint.display.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\` — not the official Anthropic API`));
    const official = presentBudget({ snapshot, provider: 'anthropic', t, commands, time: (iso) => iso });
    assert.doesNotMatch(official.tooltip, /Endpoint:/);
  });
});
