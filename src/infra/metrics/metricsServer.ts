import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export type MetricsServerErrorReason = 'metrics_host_refused' | 'metrics_port_in_use' | 'metrics_port_invalid';

/** Typed so callers branch on `reason`, never on message text; the adapter localizes. */
export class MetricsServerError extends Error {
  constructor(readonly reason: MetricsServerErrorReason, message: string, readonly details: { readonly host: string; readonly port: number }) {
    super(message);
    this.name = 'MetricsServerError';
  }
}

/** Loopback only: the endpoint has no authentication, so it must not be reachable off the machine. */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '::1'];

export const METRICS_PATH = '/metrics';
export const JSON_PATH = '/api/v1/helios/metrics';

export interface MetricsServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Serves `/metrics` (Prometheus text) and `/api/v1/helios/metrics` (the seed's JSON) from one
 * registry. Port 0 picks a free port (tests). GET and HEAD only; anything else is 404/405.
 */
export async function startMetricsServer(options: {
  readonly port: number;
  readonly host?: string;
  readonly registry: Registry;
  readonly json: () => object;
}): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  const { port, registry, json } = options;
  if (!LOOPBACK_HOSTS.includes(host)) {
    throw new MetricsServerError('metrics_host_refused', `metrics endpoint binds to loopback only (127.0.0.1, localhost, ::1), not ${host}`, { host, port });
  }
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new MetricsServerError('metrics_port_invalid', `metrics port must be an integer 0–65535, got ${port}`, { host, port });
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    try {
      if (path === METRICS_PATH) {
        const body = await registry.metrics();
        res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : body);
      } else if (path === JSON_PATH) {
        const body = JSON.stringify(json());
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(req.method === 'HEAD' ? undefined : body);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      }
    } catch {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('metrics collection failed\n');
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(error.code === 'EADDRINUSE'
        ? new MetricsServerError('metrics_port_in_use', `port ${port} on ${host} is already in use`, { host, port })
        : error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host === '::1' ? '[::1]' : host;
  return {
    url: `http://${urlHost}:${bound}`,
    port: bound,
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
