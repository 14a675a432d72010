/**
 * The README's quick start, end to end: `ecs-reconciler dev` on exactly the repository's desired-state/ (manifests,
 * analysis template and sandbox seed, copied to a temporary folder), then a new image for the canary service
 * `checkout` and the blue-green service `payments`. Both must reach Stable by themselves, with the error-rate
 * analysis Successful: the sandbox runs its lifecycles 10x faster than the wall clock, but its CloudWatch answers
 * the controller's wall-clock queries.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import type { StatusSnapshot } from '../../src/controller/status.js';
import { sandboxClientConfig } from '../../src/sandbox/sandbox.js';
import { sampleValue } from './controller-harness.js';
import { startDev, type DevProcess } from './dev-harness.js';
import { until } from './ha-harness.js';

let dir: string;
let dev: DevProcess;
let ecs: ECSClient;

const status = async () => (await fetch(`${dev.controller}/status`)).json() as Promise<StatusSnapshot>;
const rolloutOf = async (service: string) => (await status()).services.find((entry) => entry.service === service)?.rollout;

async function runningImage(service: string): Promise<string | undefined> {
  const [described] = (await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: [service] }))).services ?? [];
  const taskSets = described?.taskSets ?? [];
  if (taskSets.length !== 1 || taskSets[0]?.status !== 'PRIMARY') return undefined;
  const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskSets[0].taskDefinition }));
  return taskDefinition?.containerDefinitions?.find((container) => container.name === 'app')?.image;
}

async function changeImage(service: string, from: string, to: string): Promise<void> {
  const file = path.join(dir, 'services', `${service}.yaml`);
  const text = await readFile(file, 'utf8');
  expect(text).toContain(from);
  await writeFile(file, text.replace(from, to));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ecs-reconciler-demo-'));
  await cp('desired-state', dir, { recursive: true });
  dev = await startDev(dir);
  ecs = new ECSClient(sandboxClientConfig(dev.endpoint));
}, 60_000);

afterAll(async () => {
  ecs?.destroy();
  await dev?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the demo in desired-state/', () => {
  it('rolls a new checkout image out as a canary and a new payments image as blue-green, to Stable with a Successful analysis and no operator', async () => {
    await until('checkout and payments up at their first version', async () =>
      (await runningImage('checkout'))?.endsWith('checkout:1.4.2') && (await runningImage('payments'))?.endsWith('payments:2.1.0') ? true : undefined,
    );
    await changeImage('checkout', 'checkout:1.4.2', 'checkout:1.4.3');
    await changeImage('payments', 'payments:2.1.0', 'payments:2.1.1');

    const waits = new Set<string>();
    await until(
      'both new versions alone and Stable',
      async () => {
        const rollouts = [await rolloutOf('checkout'), await rolloutOf('payments')];
        for (const rollout of rollouts) if (rollout?.message !== undefined) waits.add(rollout.message);
        const images = [await runningImage('checkout'), await runningImage('payments')];
        const stable = rollouts.every((rollout) => rollout?.phase === 'Stable');
        return stable && images[0]?.endsWith('checkout:1.4.3') && images[1]?.endsWith('payments:2.1.1') ? true : undefined;
      },
      240_000,
    );

    const metrics = await (await fetch(`${dev.controller}/metrics`)).text();
    const runs = (outcome: string) => sampleValue(metrics, 'ecs_reconciler_analysis_runs_total', { template: 'error-rate', outcome }) ?? 0;
    expect({ Successful: runs('Successful'), Inconclusive: runs('Inconclusive'), Failed: runs('Failed'), Error: runs('Error') }).toEqual({ Successful: 2, Inconclusive: 0, Failed: 0, Error: 0 });
    for (const strategy of ['Canary', 'BlueGreen']) expect(sampleValue(metrics, 'ecs_reconciler_rollouts_total', { strategy, outcome: 'promoted' })).toBe(1);
    // Never waited for an operator on the way ("paused until promote", "... is inconclusive: promote or abort").
    expect([...waits].filter((message) => message.includes('promote'))).toEqual([]);
  }, 300_000);
});
