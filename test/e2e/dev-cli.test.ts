import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { sandboxClientConfig } from '../../src/sandbox/sandbox.js';
import { spawnCli } from './apply-harness.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ecs-reconciler-dev-'));
  await cp('desired-state', dir, { recursive: true });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ecs-reconciler dev', () => {
  it('starts the seeded sandbox, applies the folder once, says where to look, and stops cleanly on SIGTERM', async () => {
    const child = spawnCli(['dev', dir, '--port', '0']);
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
    expect(stdout).toContain('3 services: 3 changed');
    const endpoint = /sandbox running at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    expect(endpoint).toBeDefined();
    expect(stdout).toContain(`aws --endpoint-url ${endpoint} ecs describe-services --cluster demo --services checkout payments web`);
    expect(stdout).toContain(`ecs-reconciler diff ${dir} --endpoint-url ${endpoint}`);

    const ecs = new ECSClient(sandboxClientConfig(endpoint!));
    const out = await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }));
    ecs.destroy();
    expect(out.services?.[0]?.status).toBe('ACTIVE');

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
