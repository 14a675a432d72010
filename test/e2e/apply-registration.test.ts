/**
 * Task definitions are registered once per content, across restarts, and never for a service that cannot be
 * created: each `ecs-reconciler apply` below is its own process, as a restarted controller or a CI retry would be.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ECSClient, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { sandboxClientConfig } from '../../src/sandbox/sandbox.js';
import { mutatingOperations, runCli, startHarness } from './apply-harness.js';
import type { Harness } from './apply-harness.js';
import { serviceManifest } from './controller-harness.js';

let h: Harness;

afterEach(async () => {
  await h.stop();
});

const endpoint = () => ['--endpoint-url', h.sandbox.endpoint];

async function setFaults(faults: object): Promise<void> {
  const response = await fetch(`${h.sandbox.endpoint}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  expect(response.ok).toBe(true);
}

async function revisionsOf(family: string): Promise<string[]> {
  const ecs = new ECSClient(sandboxClientConfig(h.sandbox.endpoint));
  try {
    return (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE' }))).taskDefinitionArns ?? [];
  } finally {
    ecs.destroy();
  }
}

describe('a registration whose next step failed, then a restart', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('the restarted apply reuses the revision the failed one registered: identical content is registered once', async () => {
    expect((await runCli(['apply', h.dir, ...endpoint()])).code).toBe(0);
    const before = await revisionsOf('web');
    await h.edit('services/web.yaml', (doc) => doc.setIn(['spec', 'taskDefinition', 'containerDefinitions', 0, 'image'], '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.1.0'));
    // UpdateService is throttled for good (half a token, no refill): the registration succeeds, its follow-up fails.
    await setFaults({ throttle: { 'ecs.UpdateService': { burst: 0.5, refillPerSecond: 0 } } });
    const since = await h.lastSeq();
    const failed = await runCli(['apply', h.dir, ...endpoint()]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('ThrottlingException');
    const afterFailure = await revisionsOf('web');
    expect(afterFailure).toHaveLength(before.length + 1);

    await setFaults({});
    const retried = await runCli(['apply', h.dir, ...endpoint()]);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain(`reusing ${afterFailure.at(-1)}`);
    expect(await revisionsOf('web')).toEqual(afterFailure);
    const writes = mutatingOperations(await h.sandboxCalls(since));
    expect(writes.filter((op) => op === 'ecs.RegisterTaskDefinition')).toHaveLength(1);
    const updates = (await h.sandboxCalls(since)).filter((call) => call.operation === 'UpdateService' && call.outcome === 'ok');
    expect(updates.map((call) => call.input?.taskDefinition)).toEqual([afterFailure.at(-1)]);
  });
});

describe('a manifest naming a cluster that does not exist', () => {
  beforeEach(async () => {
    h = await startHarness({ 'services/orphan.yaml': serviceManifest('orphan').replace('cluster: demo', 'cluster: ghost') });
  });

  it('diff says so; apply fails naming the cluster, however often it runs, and registers nothing', async () => {
    const diff = await runCli(['diff', h.dir, ...endpoint()]);
    expect(diff.stdout).toContain('ghost/orphan: blocked');
    expect(diff.stdout).toContain('note: cluster ghost does not exist');
    expect(diff.stdout).not.toMatch(/RegisterTaskDefinition task-definition\/orphan/);

    const since = await h.lastSeq();
    for (let attempt = 0; attempt < 2; attempt++) {
      const applied = await runCli(['apply', h.dir, ...endpoint()]);
      expect(applied.code).toBe(1);
      expect(applied.stdout).toContain('ghost/orphan: blocked');
      expect(applied.stdout).toContain('cluster ghost does not exist');
    }
    const writes = (await h.sandboxCalls(since)).filter((call) => call.mutating);
    expect(writes.filter((call) => call.operation === 'RegisterTaskDefinition' && call.input?.family === 'orphan')).toEqual([]);
    expect(await revisionsOf('orphan')).toEqual([]);
    // The other services are applied as usual.
    expect(writes.filter((call) => call.operation === 'CreateService').map((call) => call.input?.serviceName)).toEqual(['checkout', 'payments', 'web']);
  });
});
