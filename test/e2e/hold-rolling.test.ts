/**
 * Issue 14's failure path, end to end, with the controller as a separate process: a Rolling service with the
 * circuit breaker (rollback on) gets an image that cannot be pulled. ECS rolls it back; the controller records the
 * failure and holds the revision: no deploy write across 10 resyncs, nor after a kill -9 and a restart; /status says
 * Degraded with the CannotPullContainerError reason; a loopback webhook receives the hold; `apply --wait` exits 1
 * with it; the next commit with a good image deploys normally. (Before the fix the controller called the rollback drift and redeployed the broken revision on
 * every resync.)
 */
import { rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceSummary } from '../../src/controller/status.js';
import { FAILURE_TAG } from '../../src/hold/index.js';
import { ScaledClock } from '../../src/sandbox/core/clock.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import type { RunningSandbox } from '../../src/sandbox/sandbox.js';
import { DEMO_SEED, runCli } from './apply-harness.js';
import type { SandboxCall } from './apply-harness.js';
import { activeService, ecsClient, sampleValue, sandboxCalls, serviceManifest, startRun, tempDir, writeFiles } from './controller-harness.js';
import type { ControllerProcess } from './controller-harness.js';
import { until } from './ha-harness.js';

const KEY = 'demo/web';
const DEPLOY_WRITES = new Set(['RegisterTaskDefinition', 'UpdateService', 'CreateService', 'DeleteService']);
const BREAKER = `  rollout:
    strategy: Rolling
    rolling:
      deploymentCircuitBreaker: {enable: true, rollback: true}
`;
const manifest = (image: string) => serviceManifest('web', { image, desiredCount: 2 }) + BREAKER;

let sandbox: RunningSandbox;
let dir: string;
/** A loopback webhook a Notification manifest points at: the failure must reach it as an event. */
let webhook: Server;
const notified: { event: string; service: string; reason: string }[] = [];
let controller: ControllerProcess;
const ecs = () => ecsClient(sandbox.endpoint);

const service = async (): Promise<ServiceSummary | undefined> => (await controller.status()).services.find((entry) => entry.key === KEY);
const deployWrites = async (since: number): Promise<SandboxCall[]> =>
  (await sandboxCalls(sandbox.endpoint, since)).filter((call) => call.mutating && call.outcome === 'ok' && DEPLOY_WRITES.has(call.operation));
const failureTag = async () => {
  const out = await ecs().send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'], include: ['TAGS'] }));
  return out.services?.[0]?.tags?.find((tag) => tag.key === FAILURE_TAG)?.value;
};
const lastSeq = async () => (await sandboxCalls(sandbox.endpoint)).at(-1)?.seq ?? 0;

/** Waits until the current controller has logged `count` more resyncs than it had when called. */
async function resyncs(count: number): Promise<void> {
  const before = controller.lines.filter((line) => line.event === 'resync').length;
  await until(`${count} resyncs`, async () => (controller.lines.filter((line) => line.event === 'resync').length >= before + count ? true : undefined), 60_000);
}

beforeAll(async () => {
  // Ten simulated seconds per wall second: tasks start, fail and drain in a fraction of a second.
  sandbox = await startSandbox({ port: 0, seed: DEMO_SEED, clock: new ScaledClock(10) });
  sandbox.account.behaviours.set([{ image: '*/web:2.0.0', healthy: true, cannotPullImage: true, crashAfterSeconds: 0, errorRate: 0, latencyMs: 20, startupSeconds: 0, cpuPercent: 25, memoryPercent: 40 }]);
  webhook = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      notified.push(JSON.parse(text) as (typeof notified)[number]);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
  dir = await tempDir('hold-rolling');
  await writeFiles(dir, {
    'web.yaml': manifest('1.0.0'),
    'notify.yaml': `apiVersion: ecs-reconciler/v1
kind: Notification
metadata:
  name: deploy-failures
spec:
  events: [hold-started, hold-ended]
  webhook: {url: "${hookUrl}"}
`,
  });
  controller = await startRun(dir, sandbox.endpoint, ['--resync', '1s']);
  await until('web healthy on 1.0.0', async () => {
    const status = await service();
    return status?.healthStatus === 'Healthy' && status.syncStatus === 'Synced' ? true : undefined;
  }, 60_000);
}, 90_000);

afterAll(async () => {
  await controller?.stop('SIGKILL');
  await sandbox?.stop();
  await new Promise((resolve) => webhook?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a Rolling revision ECS rolled back is held, not fought', () => {
  let held: number;

  it('ECS rolls the unpullable image back; /status says Degraded with the CannotPullContainerError reason', async () => {
    const before = await lastSeq();
    await writeFiles(dir, { 'web.yaml': manifest('2.0.0') });
    const degraded = await until('web Degraded', async () => {
      const status = await service();
      return status?.healthStatus === 'Degraded' && status.message?.includes('CannotPullContainerError') ? status : undefined;
    }, 60_000);
    expect(degraded.syncStatus).toBe('OutOfSync');
    expect(degraded.message).toMatch(/^web:2 \(commit [0-9a-z]+\) rolled back by the ECS deployment circuit breaker: CannotPullContainerError/);
    const described = await until('the rollback to web:1 complete', async () => {
      const live = await activeService(ecs(), 'web');
      return live?.deployments?.length === 1 && live.deployments[0]?.rolloutState === 'COMPLETED' ? live : undefined;
    }, 60_000);
    expect(described.taskDefinition).toMatch(/task-definition\/web:1$/);
    expect(await failureTag()).toContain('b=circuit-breaker');
    expect(sampleValue(await controller.metrics(), 'ecs_reconciler_failed_revisions_total', { strategy: 'Rolling', reason: 'circuit-breaker' })).toBe(1);
    held = await lastSeq();
    const event = await until('the hold-started notification', async () => notified.find((body) => body.event === 'hold-started'), 30_000);
    expect(event).toMatchObject({ service: KEY, event: 'hold-started' });
    expect(event.reason).toContain('CannotPullContainerError');
    // The broken revision was deployed once, never again.
    expect((await deployWrites(before)).map((call) => call.operation)).toEqual(['RegisterTaskDefinition', 'UpdateService']);
  }, 120_000);

  it('makes no deploy write across 10 resyncs', async () => {
    await resyncs(10);
    expect(await deployWrites(held)).toEqual([]);
    expect((await service())?.healthStatus).toBe('Degraded');
  }, 90_000);

  it('still holds it after a kill -9 and a restart of the controller', async () => {
    await controller.stop('SIGKILL');
    controller = await startRun(dir, sandbox.endpoint, ['--resync', '1s']);
    await resyncs(10);
    expect(await deployWrites(held)).toEqual([]);
    const status = await service();
    expect(status).toMatchObject({ healthStatus: 'Degraded', syncStatus: 'OutOfSync' });
    expect(status?.message).toContain('CannotPullContainerError');
  }, 90_000);

  it('status says rolled back, with the failed revision and the reason, never COMPLETED', async () => {
    const result = await runCli(['status', KEY, '--dir', dir, '--endpoint-url', sandbox.endpoint]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Status: +rolled back: web:2 \(commit [0-9a-z]+\) rolled back by the ECS deployment circuit breaker: CannotPullContainerError/);
    expect(result.stdout).not.toContain('COMPLETED');
  }, 30_000);

  it('apply --wait exits 1 with the reason, and deploys nothing', async () => {
    const since = await lastSeq();
    const result = await runCli(['apply', dir, '--wait', '--timeout', '30s', '--interval', '1s', '--endpoint-url', sandbox.endpoint]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('demo/web: failed revision held (not deployed)');
    expect(result.stdout).toContain('demo/web failed: web:2');
    expect(result.stdout).toContain('CannotPullContainerError');
    expect(await deployWrites(since)).toEqual([]);
  }, 60_000);

  it('the next commit with a good image deploys normally and ends the hold', async () => {
    await writeFiles(dir, { 'web.yaml': manifest('2.0.1') });
    await until('web healthy on 2.0.1', async () => {
      const status = await service();
      const live = await activeService(ecs(), 'web');
      const onFix = live?.deployments?.length === 1 && live.deployments[0]?.rolloutState === 'COMPLETED' && live.runningCount === 2;
      return status?.healthStatus === 'Healthy' && status.syncStatus === 'Synced' && onFix ? true : undefined;
    }, 90_000);
    expect(await failureTag()).toBeUndefined();
    expect(await until('the hold-ended notification', async () => notified.find((body) => body.event === 'hold-ended'), 30_000)).toMatchObject({ service: KEY });
    expect((await activeService(ecs(), 'web'))?.taskDefinition).toMatch(/task-definition\/web:3$/);
    const writes = (await deployWrites(held)).map((call) => call.operation);
    expect(writes).toEqual(['RegisterTaskDefinition', 'UpdateService']);
    const status = await runCli(['status', KEY, '--dir', dir, '--endpoint-url', sandbox.endpoint]);
    expect(status.stdout).toMatch(/Status: +COMPLETED 2\/2 running/);
  }, 120_000);
});
