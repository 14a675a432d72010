import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SandboxAccount } from './account.js';
import { handleAdmin, isAdminPath } from './admin.js';

const MAX_BODY_BYTES = 10 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function route(account: SandboxAccount, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const url = new URL(req.url ?? '/', 'http://sandbox');
  if (isAdminPath(url.pathname)) {
    const admin = handleAdmin(account, req.method ?? 'GET', url, body);
    send(res, admin.status, { 'content-type': 'application/json' }, JSON.stringify(admin.body, null, 2));
    return;
  }
  const response = await account.handle({ headers: req.headers, body });
  if (response.delayMs > 0) await sleep(response.delayMs);
  send(res, response.status, response.headers, response.body);
}

/** Serves the account's APIs and admin endpoints on host:port (0 = any free port). */
export async function listen(account: SandboxAccount, host: string, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    route(account, req, res).catch((error: unknown) => {
      console.error('sandbox: request failed', error);
      if (!res.headersSent) send(res, 500, { 'content-type': 'text/plain' }, String(error));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}

export function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
