import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, destroyAwsClients } from '../../src/aws/index.js';
import { hasFailures, reconcileAll } from '../../src/reconcile/index.js';
import { ManualClock } from '../../src/sandbox/core/clock.js';
import { sandboxClientConfig, startSandbox } from '../../src/sandbox/sandbox.js';
import type { RunningSandbox } from '../../src/sandbox/sandbox.js';
import { DEMO_SEED } from './apply-harness.js';
import { pollFor, sampleValue, sandboxCalls, serviceManifest, startRun, tempDir, writeFiles } from './controller-harness.js';
import type { ControllerProcess } from './controller-harness.js';

const SERVICES = 200;

let sandbox: RunningSandbox;
let dir: string;
let controller: ControllerProcess | undefined;

beforeAll(async () => {
  // Time stands still: no task ever changes state, so nothing but the controller's own calls moves.
  sandbox = await startSandbox({ port: 0, seed: DEMO_SEED, clock: new ManualClock() });
  dir = await tempDir('run-resync');
  const names = Array.from({ length: SERVICES }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
  await writeFiles(dir, Object.fromEntries(names.map((name) => [`${name}.yaml`, serviceManifest(name, { desiredCount: 0 })])));
  // Set the account up in-process, without client-side rate limits (200 RegisterTaskDefinition would take minutes).
  const config = sandboxClientConfig(sandbox.endpoint);
  const clients = createAwsClients({ endpoint: config.endpoint, region: config.region, rateLimits: false, clientConfig: { credentials: config.credentials } });
  try {
    const report = await reconcileAll({ dir, clients, options: { readBack: { attempts: 3, delayMs: 0 } } });
    expect(hasFailures(report)).toBe(false);
  } finally {
    destroyAwsClients(clients);
  }
}, 120_000);

afterAll(async () => {
  await controller?.stop('SIGKILL');
  await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('ecs-reconciler run: resync', () => {
  it('with 200 services in sync, resyncs make no mutating call and the metrics show the batched reads', async () => {
    const since = (await sandboxCalls(sandbox.endpoint)).at(-1)?.seq ?? 0;
    controller = await startRun(dir, sandbox.endpoint, ['--resync', '2s']);
    const first = await controller.waitForLine((line) => line.event === 'resync');
    expect(first.outOfSync).toEqual([]);
    const second = await controller.waitForLine((line) => line.event === 'resync' && line !== first);
    expect(second.outOfSync).toEqual([]);
    expect(await pollFor(async () => ((await controller!.readyz()).status === 200 ? true : undefined), 10_000)).toBe(true);

    const calls = await sandboxCalls(sandbox.endpoint, since);
    expect(calls.filter((call) => call.mutating)).toEqual([]);
    const exposition = await controller.metrics();
    const reads = (operation: string) => sampleValue(exposition, 'ecs_reconciler_aws_api_calls_total', { api: 'ecs', operation, outcome: 'ok' }) ?? 0;
    // One resync: ListServices 2 pages (100 each), DescribeServices 20 batches of 10; the cold cache reads each
    // task definition once, the second resync none.
    expect(reads('ListServices')).toBeGreaterThanOrEqual(2 * 2);
    expect(reads('DescribeServices')).toBeGreaterThanOrEqual(2 * 20);
    expect(reads('DescribeTaskDefinition')).toBe(SERVICES);
    expect(sampleValue(exposition, 'ecs_reconciler_aws_api_calls_total', { operation: 'UpdateService' })).toBeUndefined();
    const status = await controller.status();
    expect(status.services).toHaveLength(SERVICES);
    expect(status.services.every((service) => service.syncStatus === 'Synced')).toBe(true);
  });
});
