import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderDecisions } from '../audit/index.js';
import type { AuditEntry } from '../audit/index.js';
import type { StatusSnapshot } from '../controller/status.js';
import { renderRolloutDetail, viewJson } from '../rollout/engine/index.js';
import type { ServiceStatusView } from '../rollout/engine/index.js';
import { renderStatusPage } from './page.js';
import type { Readiness } from './readiness.js';

/** What `/metrics` serves; a prom-client `Registry` fits as is. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface ServerOptions {
  /** Defaults to 127.0.0.1: the status and metrics are for the local network namespace unless asked otherwise. */
  host?: string;
  /** Defaults to 9400; 0 picks a free port. */
  port?: number;
  metrics: MetricsSource;
  status: () => StatusSnapshot | Promise<StatusSnapshot>;
  ready: () => Readiness | Promise<Readiness>;
  /** One Canary/BlueGreen service (`cluster/service`) as the last reconcile saw it, for `/status/...` and `/rollouts/...`. */
  rollout?: (key: string) => ServiceStatusView | undefined;
  /** One service's last decisions, oldest first; undefined when the service is unknown to the controller. */
  decisions?: (key: string) => AuditEntry[] | undefined;
  /** Told when a provider throws; the request gets a 500 (or a 503 for `/readyz`). */
  onError?: (error: unknown, path: string) => void;
  /** How often the HTML page reloads itself; defaults to 5 s. */
  refreshSeconds?: number;
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:9400` */
  url: string;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';
const PAGE_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

export const DEFAULT_PORT = 9400;

/** Serves `/metrics`, `/healthz`, `/readyz`, `/status` and the status page `/` over plain node:http. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    respond(request, response, options).catch((error: unknown) => {
      options.onError?.(error, request.url ?? '');
      response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`cannot listen on ${host}:${options.port ?? DEFAULT_PORT}: ${error.message}`, { cause: error })));
    server.listen(options.port ?? DEFAULT_PORT, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function respond(request: IncomingMessage, response: ServerResponse, options: ServerOptions): Promise<void> {
  const path = (request.url ?? '/').split('?', 1)[0] as string;
  const reply = request.method === 'GET' || request.method === 'HEAD' ? await route(path, options) : methodNotAllowed();
  response.writeHead(reply.status, {
    'content-type': reply.contentType,
    'content-length': Buffer.byteLength(reply.body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...reply.headers,
  });
  response.end(request.method === 'HEAD' ? undefined : reply.body);
}

async function route(path: string, options: ServerOptions): Promise<Reply> {
  switch (path) {
    case '/healthz':
      return { status: 200, contentType: TEXT_TYPE, body: 'ok\n' };
    case '/readyz':
      return readyz(options);
    case '/metrics':
      return guarded(path, options, async () => ({ status: 200, contentType: options.metrics.contentType, body: await options.metrics.metrics() }));
    case '/status':
      return guarded(path, options, async () => json(200, await options.status()));
    case '/':
      return guarded(path, options, async () => ({
        status: 200,
        contentType: HTML_TYPE,
        body: renderStatusPage(await options.status(), { refreshSeconds: options.refreshSeconds ?? 5 }),
        headers: { 'content-security-policy': PAGE_SECURITY_POLICY },
      }));
    default:
      return serviceRoute(path, options) ?? json(404, { error: `not found: ${path}`, endpoints: ENDPOINTS });
  }
}

const ENDPOINTS = ['/', '/status', '/status/CLUSTER/SERVICE', '/rollouts/CLUSTER/SERVICE', '/metrics', '/healthz', '/readyz'];

/**
 * `/status/CLUSTER/SERVICE`: the service's last decisions and, for Canary/BlueGreen, its rollout report, as JSON;
 * `/rollouts/CLUSTER/SERVICE`: the rollout as `status SERVICE` prints it, with the decisions.
 */
function serviceRoute(path: string, options: ServerOptions): Reply | undefined {
  const match = /^\/(status|rollouts)\/([^/]+)\/([^/]+)$/.exec(path);
  if (!match) return undefined;
  const [, kind, cluster, service] = match as unknown as [string, 'status' | 'rollouts', string, string];
  let key: string;
  try {
    key = `${decodeURIComponent(cluster)}/${decodeURIComponent(service)}`;
  } catch {
    return json(400, { error: `malformed service in ${path}` });
  }
  const view = options.rollout?.(key);
  const decisions = options.decisions?.(key);
  if (kind === 'status') {
    if (!view && !decisions) return json(404, { error: `service ${key} is not reconciled by this controller` });
    return json(200, { ...(view ? viewJson(view) : { key }), decisions: decisions ?? [] });
  }
  if (!view) return json(404, { error: `no Canary or BlueGreen service ${key} has been reconciled by this controller` });
  const body = `${renderRolloutDetail(view)}\nDecisions:\n${renderDecisions(decisions ?? []).join('\n')}\n`;
  return { status: 200, contentType: TEXT_TYPE, body };
}

async function readyz(options: ServerOptions): Promise<Reply> {
  try {
    const readiness = await options.ready();
    const role = readiness.role ? { role: readiness.role } : {};
    return readiness.ready ? json(200, { status: 'ready', ...role }) : json(503, { status: 'not-ready', reason: readiness.reason, ...role });
  } catch (error) {
    options.onError?.(error, '/readyz');
    return json(503, { status: 'not-ready', reason: `readiness check failed: ${messageOf(error)}` });
  }
}

async function guarded(path: string, options: ServerOptions, produce: () => Promise<Reply>): Promise<Reply> {
  try {
    return await produce();
  } catch (error) {
    options.onError?.(error, path);
    return json(500, { error: `${path} failed: ${messageOf(error)}` });
  }
}

function methodNotAllowed(): Reply {
  return { ...json(405, { error: 'method not allowed: this server is read-only' }), headers: { allow: 'GET, HEAD' } };
}

function json(status: number, body: unknown): Reply {
  return { status, contentType: JSON_TYPE, body: `${JSON.stringify(body)}\n` };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
