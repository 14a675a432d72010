import { mkdir, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import type { RunningSandbox } from '../../src/sandbox/sandbox.js';
import { DEMO_SEED } from './apply-harness.js';
import { activeService, ecsClient, pollFor, sandboxCalls, sampleValue, serviceManifest, startRun, tempDir, writeFiles } from './controller-harness.js';
import type { ControllerProcess } from './controller-harness.js';

let sandbox: RunningSandbox;
let ecs: ECSClient;
const controllers: ControllerProcess[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: DEMO_SEED });
  ecs = ecsClient(sandbox.endpoint);
});

afterAll(async () => {
  await Promise.all(controllers.map((controller) => controller.stop('SIGKILL')));
  ecs.destroy();
  await sandbox.stop();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function run(dir: string, extra: string[] = []): Promise<ControllerProcess> {
  const controller = await startRun(dir, sandbox.endpoint, extra);
  controllers.push(controller);
  return controller;
}

async function untilReady(controller: ControllerProcess): Promise<void> {
  const ready = await pollFor(async () => ((await controller.readyz()).status === 200 ? true : undefined), 30_000);
  expect(ready).toBe(true);
}

async function imageOf(name: string): Promise<string | undefined> {
  const service = await activeService(ecs, name);
  if (!service?.taskDefinition) return undefined;
  const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }));
  return out.taskDefinition?.containerDefinitions?.[0]?.image;
}

async function mutatingSince(seq: number): Promise<string[]> {
  return (await sandboxCalls(sandbox.endpoint, seq)).filter((call) => call.mutating).map((call) => call.operation);
}

async function lastSeq(): Promise<number> {
  return (await sandboxCalls(sandbox.endpoint)).at(-1)?.seq ?? 0;
}

describe('ecs-reconciler run on a plain folder', () => {
  let dir: string;
  let controller: ControllerProcess;

  beforeAll(async () => {
    dir = await tempDir('run-watch');
    dirs.push(dir);
    await writeFiles(dir, { 'api.yaml': serviceManifest('api') });
    controller = await run(dir, ['--resync', '2s', '--prune']);
    await untilReady(controller);
  });

  it('applies a manifest file that appears: the service exists within 2 s', async () => {
    expect(await activeService(ecs, 'api')).toBeDefined();
    await writeFiles(dir, { 'worker.yaml': serviceManifest('worker') });
    const created = await pollFor(() => activeService(ecs, 'worker'), 2_000);
    expect(created?.serviceName).toBe('worker');
  });

  it('a broken file keeps its last good state, even with --prune, while the other files keep reconciling', async () => {
    await pollFor(() => activeService(ecs, 'worker'), 10_000);
    const worker = await activeService(ecs, 'worker');
    const since = await lastSeq();
    const mark = controller.lines.length;

    await writeFile(path.join(dir, 'worker.yaml'), 'apiVersion: ecs-reconciler/v1\nkind: Service\nmetadata: {name: worker\nspec: [\n');
    await writeFiles(dir, { 'api.yaml': serviceManifest('api', { desiredCount: 2 }) });

    const scaled = await pollFor(async () => ((await activeService(ecs, 'api'))?.desiredCount === 2 ? true : undefined), 10_000);
    expect(scaled).toBe(true);
    // A full resync (with prune) after the break still leaves the broken file's service alone.
    await controller.waitForLine((line) => line.event === 'resync' && controller.lines.indexOf(line) > mark);

    const status = await controller.status();
    expect(status.manifestErrors.map((problem) => problem.file)).toContain('worker.yaml');
    expect(status.services.map((service) => service.key)).toEqual(['demo/api', 'demo/worker']);
    const after = await activeService(ecs, 'worker');
    expect(after?.taskDefinition).toBe(worker?.taskDefinition);
    expect(after?.desiredCount).toBe(worker?.desiredCount);
    expect(await mutatingSince(since)).not.toContain('DeleteService');
    expect(sampleValue(await controller.metrics(), 'ecs_reconciler_manifest_errors')).toBeGreaterThan(0);
    expect((await controller.readyz()).status).toBe(200);
  });
});

describe('ecs-reconciler run on a git-sync link', () => {
  let root: string;
  let link: string;
  let controller: ControllerProcess;
  const hash1 = 'a'.repeat(40);
  const hash2 = 'b'.repeat(40);

  beforeAll(async () => {
    root = await tempDir('run-gitsync');
    dirs.push(root);
    link = path.join(root, 'current');
    await writeFiles(path.join(root, '.worktrees', hash1), { 'gs.yaml': serviceManifest('gs') });
    await symlink(path.join('.worktrees', hash1), link);
    controller = await run(link, ['--resync', '1h', '--prune']);
    await untilReady(controller);
  });

  it('applies the new worktree after an atomic link swap, and survives the old one vanishing', async () => {
    expect((await controller.status()).revision).toBe(hash1);
    expect(await imageOf('gs')).toMatch(/:1\.0\.0$/);
    const since = await lastSeq();

    await writeFiles(path.join(root, '.worktrees', hash2), { 'gs.yaml': serviceManifest('gs', { image: '2.0.0' }), 'gs2.yaml': serviceManifest('gs2') });
    await symlink(path.join('.worktrees', hash2), path.join(root, 'current.tmp'));
    await rename(path.join(root, 'current.tmp'), link);
    await rm(path.join(root, '.worktrees', hash1), { recursive: true, force: true });

    const applied = await pollFor(async () => ((await imageOf('gs'))?.endsWith(':2.0.0') && (await activeService(ecs, 'gs2')) ? true : undefined), 10_000);
    expect(applied).toBe(true);
    expect((await controller.status()).revision).toBe(hash2);
    expect(controller.child.exitCode).toBeNull();
    expect(await mutatingSince(since)).not.toContain('DeleteService');
  });

  it('a missing folder deletes nothing and fails readiness with the reason, until it is back', async () => {
    const since = await lastSeq();
    await unlink(link);
    const notReady = await pollFor(async () => {
      const readyz = await controller.readyz();
      return readyz.status === 503 ? readyz.body : undefined;
    }, 10_000);
    expect(notReady?.reason).toMatch(/desired-state folder missing/);
    expect((await controller.status()).services.map((service) => service.key)).toEqual(['demo/gs', 'demo/gs2']);

    await mkdir(path.join(root, '.worktrees', hash2), { recursive: true });
    await symlink(path.join('.worktrees', hash2), link);
    await untilReady(controller);
    expect(await activeService(ecs, 'gs')).toBeDefined();
    expect(await mutatingSince(since)).not.toContain('DeleteService');
  });
});
