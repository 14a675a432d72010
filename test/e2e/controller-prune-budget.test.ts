/**
 * The issue-15 scenario against a running controller: manifests removed one by one under `run --prune` used to
 * delete 6 of 9 services, because the guard looked at one step. The deletion budget (30 % of a cluster's managed
 * services per hour, recorded on the cluster) now stops at 2 of 9, whatever the pace of the removals, keeps
 * holding after a restart, and an operator's approval releases the rest.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import type { RunningSandbox } from '../../src/sandbox/sandbox.js';
import { DEMO_SEED, runCli } from './apply-harness.js';
import { activeService, ecsClient, pollFor, sampleValue, serviceManifest, startRun, tempDir, writeFiles } from './controller-harness.js';
import type { ControllerProcess } from './controller-harness.js';

const NAMES = ['svc-1', 'svc-2', 'svc-3', 'svc-4', 'svc-5', 'svc-6', 'svc-7', 'svc-8', 'svc-9'];

let sandbox: RunningSandbox;
let ecs: ECSClient;
let dir: string;
let controller: ControllerProcess;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: DEMO_SEED });
  ecs = ecsClient(sandbox.endpoint);
  dir = await tempDir('prune-budget');
  await writeFiles(dir, Object.fromEntries(NAMES.map((name) => [`${name}.yaml`, serviceManifest(name)])));
});

afterAll(async () => {
  await controller?.stop('SIGKILL');
  ecs.destroy();
  await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
});

const start = () => startRun(dir, sandbox.endpoint, ['--prune', '--resync', '1s']);

async function active(): Promise<string[]> {
  const found = await Promise.all(NAMES.map(async (name) => ((await activeService(ecs, name)) ? name : undefined)));
  return found.filter((name): name is string => name !== undefined);
}

async function heldServices(): Promise<number | undefined> {
  return sampleValue(await controller.metrics(), 'ecs_reconciler_prune_held_services', { cluster: 'demo' });
}

describe('run --prune, with manifests removed one at a time', () => {
  it('deletes 2 of 9, then holds the rest and says how to go on; a restart keeps holding; an approval releases them', async () => {
    controller = await start();
    expect(await pollFor(async () => ((await active()).length === 9 ? true : undefined), 60_000)).toBe(true);

    // The issue removed one every 12 s; each removal here waits only for the controller's answer to the previous one.
    for (const name of NAMES.slice(0, 2)) {
      await rm(path.join(dir, `${name}.yaml`));
      expect(await pollFor(async () => ((await activeService(ecs, name)) ? undefined : true), 30_000), `${name} deleted`).toBe(true);
    }
    await rm(path.join(dir, 'svc-3.yaml'));
    const refusal = await controller.waitForLine((line) => line.action === 'prune' && line.outcome === 'refused');
    expect(refusal.msg).toMatch(/pruning would delete 1 of 7 managed services in cluster demo, 3 of 9 within 1h with the 2 deleted there before/);
    expect(refusal.msg).toContain('--force-prune');
    expect(refusal.msg).toContain('ecs-reconciler prune approve demo');
    expect(await pollFor(async () => ((await heldServices()) === 1 ? true : undefined), 10_000)).toBe(true);
    await rm(path.join(dir, 'svc-4.yaml'));
    expect(await pollFor(async () => ((await heldServices()) === 2 ? true : undefined), 10_000)).toBe(true);
    expect(await active()).toEqual(NAMES.slice(2));

    // Killed and restarted mid-window: nothing in memory, and still nothing more is deleted.
    await controller.stop('SIGKILL');
    controller = await start();
    expect(await pollFor(async () => ((await heldServices()) === 2 ? true : undefined), 30_000)).toBe(true);
    expect(await active()).toEqual(NAMES.slice(2));

    const approved = await runCli(['prune', 'approve', 'demo', '--for', '10m', '--endpoint-url', sandbox.endpoint]);
    expect(approved.stderr).toBe('');
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/prune approved in cluster demo until \S+Z/);
    expect(await pollFor(async () => ((await active()).length === 5 ? true : undefined), 30_000)).toBe(true);
    expect(await active()).toEqual(NAMES.slice(4));
    expect(await pollFor(async () => ((await heldServices()) === undefined || (await heldServices()) === 0 ? true : undefined), 10_000)).toBe(true);
  });
});
