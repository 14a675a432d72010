import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import type { RunningSandbox } from '../../src/sandbox/sandbox.js';
import { DEMO_SEED } from './apply-harness.js';
import { pollFor, sampleValue, serviceManifest, startRun, tempDir, writeFiles } from './controller-harness.js';
import type { ControllerProcess } from './controller-harness.js';

const PROMTOOL = '/usr/bin/promtool';

let sandbox: RunningSandbox;
const controllers: ControllerProcess[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: DEMO_SEED });
});

afterAll(async () => {
  await Promise.all(controllers.map((controller) => controller.stop('SIGKILL')));
  await sandbox.stop();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function run(files: Record<string, string>, extra: string[] = []): Promise<{ controller: ControllerProcess; dir: string }> {
  const dir = await tempDir('run-ops');
  dirs.push(dir);
  await writeFiles(dir, files);
  const controller = await startRun(dir, sandbox.endpoint, extra);
  controllers.push(controller);
  return { controller, dir };
}

async function untilReady(controller: ControllerProcess): Promise<void> {
  expect(await pollFor(async () => ((await controller.readyz()).status === 200 ? true : undefined), 30_000)).toBe(true);
}

// prom-client names three gauges with a _total suffix; docs/observability.md keeps them for Node.js dashboards.
const UPSTREAM_NODEJS_PROBLEMS = /^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;

describe('ecs-reconciler run: /metrics', () => {
  let controller: ControllerProcess;

  beforeAll(async () => {
    ({ controller } = await run({ 'metered.yaml': serviceManifest('metered') }));
    await untilReady(controller);
  });

  it('serves the controller metrics fed from real events', async () => {
    const exposition = await controller.metrics();
    expect(sampleValue(exposition, 'ecs_reconciler_aws_api_calls_total', { api: 'ecs', operation: 'CreateService', outcome: 'ok' })).toBe(1);
    expect(sampleValue(exposition, 'ecs_reconciler_aws_api_calls_total', { operation: 'DescribeServices', outcome: 'ok' })).toBeGreaterThan(0);
    expect(sampleValue(exposition, 'ecs_reconciler_service_info', { cluster: 'demo', service: 'metered', strategy: 'Rolling', sync_status: 'Synced' })).toBe(1);
    expect(sampleValue(exposition, 'ecs_reconciler_reconcile_total', { result: 'requeue' })).toBeGreaterThan(0);
    expect(sampleValue(exposition, 'ecs_reconciler_last_sync_timestamp_seconds', { cluster: 'demo', service: 'metered' })).toBeGreaterThan(0);
    expect(sampleValue(exposition, 'ecs_reconciler_desired_state_info')).toBe(1);
    expect(sampleValue(exposition, 'ecs_reconciler_manifest_errors')).toBe(0);
    expect(sampleValue(exposition, 'ecs_reconciler_workqueue_adds_total')).toBeGreaterThan(0);
    expect(sampleValue(exposition, 'ecs_reconciler_build_info', { version: '0.1.0' })).toBe(1);
  });

  it.skipIf(!existsSync(PROMTOOL))(`passes promtool check metrics${existsSync(PROMTOOL) ? '' : ' [SKIPPED: /usr/bin/promtool missing]'}`, async () => {
    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: await controller.metrics(), encoding: 'utf8' });
    const problems = `${check.stdout}${check.stderr}`.split('\n').filter((line) => line.trim() !== '' && !UPSTREAM_NODEJS_PROBLEMS.test(line));
    expect(problems).toEqual([]);
    // 3 = lint remarks only (the upstream names above); 1 would mean the exposition did not parse.
    expect([0, 3]).toContain(check.status);
  });
});

describe('ecs-reconciler run: shutdown', () => {
  it('on SIGTERM during reconciles, abandons them at the bound and exits 0', async () => {
    const { controller, dir } = await run({ 'slow.yaml': serviceManifest('slow') }, ['--shutdown-timeout', '2s']);
    await untilReady(controller);
    // Every ECS call now takes 20 s: the next reconcile hangs in flight.
    await fetch(`${sandbox.endpoint}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ latencyMs: { 'ecs.*': 20_000 } }) });
    try {
      await writeFiles(dir, { 'slow.yaml': serviceManifest('slow', { desiredCount: 2 }) });
      const inFlight = await pollFor(async () => ((sampleValue(await controller.metrics(), 'ecs_reconciler_workqueue_longest_running_processor_seconds') ?? 0) > 0 ? true : undefined), 10_000);
      expect(inFlight).toBe(true);

      const signalledAt = Date.now();
      const code = await controller.stop('SIGTERM');
      expect(code).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(2_000 + 3_000);
      expect(controller.lines.some((line) => line.msg === 'stopped: abandoned the reconciles still in flight')).toBe(true);
    } finally {
      await fetch(`${sandbox.endpoint}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({}) });
    }
  });

  it('on SIGTERM with nothing in flight, stops at once and exits 0', async () => {
    const { controller } = await run({ 'idle.yaml': serviceManifest('idle') });
    await untilReady(controller);
    expect(await controller.stop('SIGTERM')).toBe(0);
    expect(controller.lines.some((line) => line.msg === 'stopped: every reconcile in flight finished')).toBe(true);
  });
});
