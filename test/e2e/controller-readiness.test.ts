/** /readyz while AWS is unreachable: the sandbox stops under a running controller. */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import type { RunningSandbox } from '../../src/sandbox/sandbox.js';
import { DEMO_SEED } from './apply-harness.js';
import { pollFor, serviceManifest, startRun, tempDir, writeFiles } from './controller-harness.js';
import type { ControllerProcess } from './controller-harness.js';

let sandbox: RunningSandbox;
let dir: string;
let controller: ControllerProcess;
let sandboxStopped = false;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: DEMO_SEED });
  dir = await tempDir('readiness');
  await writeFiles(dir, { 'api.yaml': serviceManifest('api') });
  controller = await startRun(dir, sandbox.endpoint, ['--resync', '1s', '--aws-unreachable-after', '3s']);
});

afterAll(async () => {
  await controller.stop('SIGKILL');
  if (!sandboxStopped) await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('run, when AWS stops answering', () => {
  it('/readyz turns 503 with the reason once reads have failed for --aws-unreachable-after; /healthz stays 200', async () => {
    expect(await pollFor(async () => ((await controller.readyz()).status === 200 ? true : undefined), 30_000)).toBe(true);
    await sandbox.stop();
    sandboxStopped = true;
    const notReady = await pollFor(async () => {
      const readyz = await controller.readyz();
      return readyz.status === 503 ? readyz : undefined;
    }, 30_000);
    expect(notReady?.body.status).toBe('not-ready');
    expect(notReady?.body.reason).toMatch(/^AWS reads have failed for \d+s with no success \(last: ecs \w+: ECONNREFUSED\)/);
    expect((await fetch(`${controller.url}/healthz`)).status).toBe(200);
  });
});
