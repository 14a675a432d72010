import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { sandboxClientConfig } from '../../src/sandbox/sandbox.js';
import { spawnCli } from './apply-harness.js';
import { pollFor } from './controller-harness.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ecs-reconciler-dev-'));
  await cp('desired-state', dir, { recursive: true });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ecs-reconciler dev', () => {
  it('starts the seeded sandbox and the controller, says where to look, applies the folder, and stops cleanly on SIGTERM', async () => {
    const child = spawnCli(['dev', dir, '--port', '0', '--listen', '127.0.0.1:0']);
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('press Ctrl+C to stop')) resolve();
      });
      child.on('close', (code) => reject(new Error(`dev exited early with ${code}: ${stdout}`)));
    });
    await ready;

    expect(stdout).toContain(`seeded from ${path.join(dir, '.sandbox', 'seed.yaml')}`);
    const endpoint = /sandbox AWS account at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    const controller = /status page {2}(http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout)?.[1];
    expect(endpoint).toBeDefined();
    expect(controller).toBeDefined();
    expect(stdout).toContain(`metrics      ${controller}/metrics`);
    expect(stdout).toContain(`aws --endpoint-url ${endpoint} ecs describe-services --cluster demo --services checkout payments web`);

    const ecs = new ECSClient(sandboxClientConfig(endpoint!));
    const web = await pollFor(async () => {
      const out = await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }));
      return out.services?.[0]?.status === 'ACTIVE' ? out.services[0] : undefined;
    }, 10_000);
    ecs.destroy();
    expect(web?.serviceName).toBe('web');
    expect((await fetch(`${controller}/status`)).status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
