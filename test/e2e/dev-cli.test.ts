import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { sandboxClientConfig } from '../../src/sandbox/sandbox.js';
import { pollFor } from './controller-harness.js';
import { startDev } from './dev-harness.js';

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
    const dev = await startDev(dir);
    const stdout = dev.stdout();
    const { endpoint, controller } = dev;

    expect(stdout).toContain(`seeded from ${path.join(dir, '.sandbox', 'seed.yaml')}`);
    expect(stdout).toContain(`metrics      ${controller}/metrics`);
    expect(stdout).toContain(`aws --endpoint-url ${endpoint} ecs describe-services --cluster demo --services checkout payments web`);

    const ecs = new ECSClient(sandboxClientConfig(endpoint));
    const web = await pollFor(async () => {
      const out = await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }));
      return out.services?.[0]?.status === 'ACTIVE' ? out.services[0] : undefined;
    }, 10_000);
    ecs.destroy();
    expect(web?.serviceName).toBe('web');
    expect((await fetch(`${controller}/status`)).status).toBe(200);

    expect(await dev.stop()).toBe(0);
  });
});
