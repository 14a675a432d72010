/**
 * Hostile desired-state folders against the real processes, with production's heap flags: a huge manifest is a
 * clean error naming file and limit (it used to abort validate and the controller with exit 134, and the
 * controller crash-looped), and a second definition of a service is applied from neither file.
 */
import { rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { PRODUCTION_NODE_OPTIONS } from '../../bench/lib/options.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import type { RunningSandbox } from '../../src/sandbox/sandbox.js';
import { DEMO_SEED, runCli } from './apply-harness.js';
import { activeService, ecsClient, pollFor, serviceManifest, startRun, tempDir, writeFiles } from './controller-harness.js';
import type { ControllerProcess } from './controller-harness.js';

const PRODUCTION = { NODE_OPTIONS: PRODUCTION_NODE_OPTIONS };

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

/** A folder with one good service and a 24 MB manifest of real YAML (20 MB aborted the old code at this heap). */
async function folderWithHugeFile(): Promise<string> {
  const dir = await tempDir('hostile-huge');
  dirs.push(dir);
  await writeFiles(dir, { 'good.yaml': serviceManifest('good') });
  const documents = Array.from({ length: 24_000 }, (_, i) => serviceManifest(`huge-${i}`).replace('cpu: "256"', `cpu: "256"\n    # ${'x'.repeat(400)}`));
  await writeFile(path.join(dir, 'huge.yaml'), documents.join('---\n'));
  return dir;
}

async function imageOf(name: string): Promise<string | undefined> {
  const service = await activeService(ecs, name);
  if (!service?.taskDefinition) return undefined;
  const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }));
  return out.taskDefinition?.containerDefinitions?.[0]?.image;
}

describe('a huge manifest, with the production heap flags', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await folderWithHugeFile();
  });

  it('validate rejects it with its file and the limit, and exits 1 rather than crashing', async () => {
    const result = await runCli(['validate', dir], PRODUCTION);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/huge\.yaml:1:1: the file is \d+(\.\d+)? MiB, over the limit of 1 MiB per file: not read \(raise with --max-file-size \/ ECS_RECONCILER_MAX_FILE_SIZE\)\n/);
  });

  it('validate FILE checks that one file, with the same verdict', async () => {
    const result = await runCli(['validate', path.join(dir, 'huge.yaml')], PRODUCTION);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/huge\.yaml:1:1: the file is \d+(\.\d+)? MiB, over the limit/);
    expect(await runCli(['validate', path.join(dir, 'good.yaml')])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^valid: 0 errors, 0 warnings \(1 service,/) });
  });

  it('the controller reports it, applies the other files and keeps running', async () => {
    const controller = await startRun(dir, sandbox.endpoint, ['--resync', '1h'], PRODUCTION);
    controllers.push(controller);
    expect(await pollFor(() => activeService(ecs, 'good'), 30_000)).toBeDefined();
    const status = await controller.status();
    expect(status.manifestErrors).toEqual([expect.objectContaining({ file: 'huge.yaml', code: 'file-too-large', line: 1, col: 1 })]);
    expect(await activeService(ecs, 'huge-0')).toBeUndefined();
    expect(await controller.stop()).toBe(0);
  });
});

describe('a second definition of a running service', () => {
  it('is applied from neither file while both exist; the remaining one is applied once the copy is gone', async () => {
    const dir = await tempDir('hostile-duplicate');
    dirs.push(dir);
    await writeFiles(dir, { 'alpha.yaml': serviceManifest('alpha', { desiredCount: 1 }) });
    const controller = await startRun(dir, sandbox.endpoint, ['--resync', '1h']);
    controllers.push(controller);
    expect(await pollFor(() => activeService(ecs, 'alpha'), 30_000)).toBeDefined();

    // It sorts first: the old code applied it (1 -> 7, and its image).
    await writeFiles(dir, { 'aa-alpha-copy.yaml': serviceManifest('alpha', { desiredCount: 7, image: '6.6.6' }) });
    const reported = await pollFor(async () => ((await controller.status()).manifestErrors.length === 2 ? true : undefined), 30_000);
    expect(reported).toBe(true);
    expect((await controller.status()).manifestErrors.map((problem) => [problem.file, problem.code])).toEqual([
      ['aa-alpha-copy.yaml', 'duplicate'],
      ['alpha.yaml', 'duplicate'],
    ]);
    expect(await activeService(ecs, 'alpha')).toMatchObject({ desiredCount: 1 });
    expect(await imageOf('alpha')).toMatch(/alpha:1\.0\.0$/);
    expect(await runCli(['validate', dir])).toMatchObject({ code: 1 });

    await unlink(path.join(dir, 'alpha.yaml'));
    const scaled = await pollFor(async () => ((await activeService(ecs, 'alpha'))?.desiredCount === 7 ? true : undefined), 30_000);
    expect(scaled).toBe(true);
    expect(await imageOf('alpha')).toMatch(/alpha:6\.6\.6$/);
    expect(await controller.stop()).toBe(0);
  });
});
