import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../../src/controller/status.js';
import { createMetrics } from '../../../src/metrics/metrics.js';
import type { Readiness } from '../../../src/server/readiness.js';
import type { AuditEntry } from '../../../src/audit/index.js';
import { startServer } from '../../../src/server/server.js';
import type { RunningServer } from '../../../src/server/server.js';
import { parseExposition } from '../metrics/exposition.js';
import { snapshot } from './fixtures.js';
import { canaryReport } from '../rollout-engine/fixtures.js';

const WEIGHT_DECISION: AuditEntry = {
  time: '2026-01-01T10:00:00.000Z',
  key: 'prod/web',
  cluster: 'prod',
  service: 'web',
  revision: '9f1c2e7',
  action: 'set-weight',
  outcome: 'applied',
  reason: 'canary step 3/5: weight 10 -> 25',
  from: 10,
  to: 25,
  requestedBy: 'controller',
};
const UPDATE_DECISION: AuditEntry = { ...WEIGHT_DECISION, key: 'prod/api', service: 'api', action: 'update', reason: 'applied revision 9f1c2e7', from: 'a', to: '9f1c2e7', requestedBy: 'git:9f1c2e7' };

describe('startServer over HTTP', () => {
  let server: RunningServer;
  let readiness: Readiness = { ready: false, reason: 'first sync not done' };
  let ready = (): Readiness => readiness;
  let status: () => StatusSnapshot = () => snapshot;
  const errors: Array<[string, unknown]> = [];
  const metrics = createMetrics({ version: '1.2.3', processMetrics: false });

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      metrics: metrics.registry,
      status: () => status(),
      ready: () => ready(),
      onError: (error, path) => errors.push([path, error]),
      rollout: (key) => (key === 'prod/web' ? { key, strategy: 'Canary', rollout: canaryReport() } : undefined),
      decisions: (key) => ({ 'prod/web': [WEIGHT_DECISION], 'prod/api': [UPDATE_DECISION] })[key],
    });
  });
  afterAll(() => server.close());

  const get = (path: string, init?: RequestInit) => fetch(server.url + path, init);

  it('listens on 127.0.0.1 by default', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('/healthz answers 200 while the process is alive', async () => {
    const response = await get('/healthz');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok\n');
  });

  it('/readyz answers 503 with the reason, then 200 once ready', async () => {
    readiness = { ready: false, reason: 'desired-state folder missing' };
    let response = await get('/readyz');
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ status: 'not-ready', reason: 'desired-state folder missing' });

    readiness = { ready: true };
    response = await get('/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });

    readiness = { ready: true, role: 'standby' };
    expect(await (await get('/readyz')).json()).toEqual({ status: 'ready', role: 'standby' });
    readiness = { ready: false, reason: 'first sync not done', role: 'leader' };
    expect(await (await get('/readyz')).json()).toEqual({ status: 'not-ready', reason: 'first sync not done', role: 'leader' });
  });

  it('/metrics serves the registry in the Prometheus text format', async () => {
    metrics.observeReconcile('success', 0.1);
    const response = await get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parseExposition(await response.text());
    expect(families.get('ecs_reconciler_reconcile_total')?.samples.find((s) => s.labels.result === 'success')?.value).toBe(1);
  });

  it('/status serves the snapshot as JSON, ignoring the query string', async () => {
    const response = await get('/status?verbose=1');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual(snapshot);
  });

  it('/ serves the status page with a strict content security policy', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toContain('checkout');
    expect(html).toContain('<meta http-equiv="refresh" content="5">');
  });

  it('answers 500 with a JSON error and reports it when the status provider throws', async () => {
    status = () => {
      throw new Error('cache not warmed');
    };
    try {
      const response = await get('/status');
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: '/status failed: cache not warmed' });
      expect((await get('/')).status).toBe(500);
      expect(errors.map(([path]) => path)).toEqual(['/status', '/']);
    } finally {
      status = () => snapshot;
    }
  });

  it('answers 503 when the readiness check throws', async () => {
    ready = () => {
      throw new Error('watcher crashed');
    };
    try {
      const response = await get('/readyz');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'not-ready', reason: 'readiness check failed: watcher crashed' });
      expect(errors.at(-1)?.[0]).toBe('/readyz');
    } finally {
      ready = () => readiness;
    }
  });

  it('answers HEAD like GET without a body', async () => {
    const response = await get('/status', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.text()).toBe('');
  });

  it('refuses other methods with 405 and an Allow header', async () => {
    const response = await get('/status', { method: 'POST', body: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers 404 for unknown paths, listing the endpoints', async () => {
    const response = await get('/nope');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not found: /nope', endpoints: expect.arrayContaining(['/status']) });
  });

  it('/rollouts/CLUSTER/SERVICE shows one rollout as `status SERVICE` prints it', async () => {
    const response = await get('/rollouts/prod/web');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const text = await response.text();
    expect(text).toMatch(/^Name: {6}prod\/web\nStrategy: {2}Canary\nStatus: {4}Progressing/);
    expect(text).toContain('Steps:');
    expect(text).toContain('Task sets:');
  });

  it('/status/CLUSTER/SERVICE serves the rollout report, its summary and the recent decisions as JSON', async () => {
    const response = await get('/status/prod/web');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      key: 'prod/web',
      strategy: 'Canary',
      rollout: { hash: '9bc0d1e2f3a4b5c6' },
      summary: { phase: 'Progressing', canaryWeight: 10 },
      decisions: [WEIGHT_DECISION],
    });
  });

  it('/status/CLUSTER/SERVICE serves the decisions of a service without a rollout; 404 for one the controller does not know', async () => {
    expect(await (await get('/status/prod/api')).json()).toEqual({ key: 'prod/api', decisions: [UPDATE_DECISION] });
    const unknown = await get('/status/prod/nope');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'service prod/nope is not reconciled by this controller' });
  });

  it('/rollouts/CLUSTER/SERVICE ends with the decisions, one line each', async () => {
    const text = await (await get('/rollouts/prod/web')).text();
    expect(text).toMatch(/\nDecisions:\n {2}2026-01-01T10:00:00\.000Z {2}set-weight +applied +canary step 3\/5: weight 10 -> 25 {2}\[controller\]\n$/);
  });

  it.each([
    ['/rollouts/prod/nope', 404, 'no Canary or BlueGreen service prod/nope has been reconciled by this controller'],
    ['/status/prod/%E0%A4%A', 400, 'malformed service in /status/prod/%E0%A4%A'],
  ])('answers %s with %i and why', async (path, code, error) => {
    const response = await get(path);
    expect(response.status).toBe(code);
    expect(await response.json()).toEqual({ error });
  });
});

describe('startServer lifecycle', () => {
  const options = { metrics: createMetrics({ version: '1', processMetrics: false }).registry, status: () => snapshot, ready: (): Readiness => ({ ready: true }) };

  it('stops accepting connections once closed', async () => {
    const server = await startServer({ ...options, port: 0 });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await server.close();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('drops the connection and reports it when a response cannot be written', async () => {
    const errors: string[] = [];
    const server = await startServer({
      ...options,
      port: 0,
      metrics: { contentType: 'text/plain\n', metrics: async () => '' },
      onError: (_, path) => errors.push(path),
    });
    try {
      await expect(fetch(`${server.url}/metrics`)).rejects.toThrow();
      expect(errors).toEqual(['/metrics']);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('fails with a clear error when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      await expect(startServer({ ...options, port })).rejects.toThrow(`cannot listen on 127.0.0.1:${port}`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
